// Non-variadic wrappers over libcurl's variadic setters, which Swift cannot call (DESIGN.md §2.2).
#ifndef MESHCTL_CCURL_H
#define MESHCTL_CCURL_H
#include <curl/curl.h>

CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_easy_setopt_blob(CURL *handle, CURLoption option, const void *data, size_t length);
CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLMcode ccurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

/// The signature of CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION callbacks.
typedef size_t (*ccurl_data_callback)(char *data, size_t size, size_t count, void *context);

/// Sets CURLOPT_WRITEFUNCTION (body bytes) with a typed function pointer.
CURLcode ccurl_easy_set_write_callback(CURL *handle, ccurl_data_callback callback, void *context);
/// Sets CURLOPT_HEADERFUNCTION (one header line per call) with a typed function pointer.
CURLcode ccurl_easy_set_header_callback(CURL *handle, ccurl_data_callback callback, void *context);
/// Sets an option that takes a curl_slist (CURLOPT_HTTPHEADER, CURLOPT_CONNECT_TO).
CURLcode ccurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *list);
/// Reads a curl_off_t info value (e.g. CURLINFO_TOTAL_TIME_T).
CURLcode ccurl_easy_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value);
/// curl_global_init(CURL_GLOBAL_ALL) exactly once per process; returns its result.
CURLcode ccurl_global_init_once(void);
/// The finished transfer's handle and result when `message` is CURLMSG_DONE, else 0.
int ccurl_multi_done(CURLMsg *message, CURL **handle, CURLcode *result);
/// The libcurl version string, e.g. "7.88.1".
const char *ccurl_version(void);
/// Whether this libcurl was built with HTTP/2 support (nghttp2).
int ccurl_has_http2(void);
#endif
