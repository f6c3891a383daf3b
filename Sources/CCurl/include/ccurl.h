// libcurl for Swift (DESIGN.md §2.2): non-variadic wrappers over its variadic setters, which
// Swift cannot call, and every other libcurl function meshctl uses, resolved from the system
// libcurl with dlopen on first use. Commands that never talk to a cluster (validate, inject,
// version) then never load libcurl and the ~30 libraries it pulls in: that load is most of a
// start-up's time. <curl/curl.h> gives the types and constants only.
#ifndef MESHCTL_CCURL_H
#define MESHCTL_CCURL_H
#include <curl/curl.h>

/// Loads libcurl and runs curl_global_init(CURL_GLOBAL_ALL), each exactly once per process;
/// CURLE_FAILED_INIT when libcurl cannot be loaded (see ccurl_load_error). Call it before any
/// other function here.
CURLcode ccurl_global_init_once(void);
/// Why libcurl could not be loaded, or NULL.
const char *ccurl_load_error(void);

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
/// The finished transfer's handle and result when `message` is CURLMSG_DONE, else 0.
int ccurl_multi_done(CURLMsg *message, CURL **handle, CURLcode *result);
/// The libcurl version string, e.g. "7.88.1" (loads libcurl; "unavailable" when it cannot).
const char *ccurl_version(void);
/// Whether this libcurl was built with HTTP/2 support (nghttp2).
int ccurl_has_http2(void);

// The plain libcurl functions, through the loaded library.
CURL *ccurl_easy_init(void);
void ccurl_easy_cleanup(CURL *handle);
const char *ccurl_easy_strerror(CURLcode code);
CURLM *ccurl_multi_init(void);
CURLMcode ccurl_multi_cleanup(CURLM *multi);
CURLMcode ccurl_multi_add_handle(CURLM *multi, CURL *handle);
CURLMcode ccurl_multi_remove_handle(CURLM *multi, CURL *handle);
CURLMcode ccurl_multi_perform(CURLM *multi, int *running);
CURLMcode ccurl_multi_poll(CURLM *multi, struct curl_waitfd *fds, unsigned int count, int timeout_ms, int *ready);
CURLMcode ccurl_multi_wakeup(CURLM *multi);
CURLMsg *ccurl_multi_info_read(CURLM *multi, int *remaining);
struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *text);
void ccurl_slist_free_all(struct curl_slist *list);

/// A share handle through which easy handles set to it (CURLOPT_SHARE) share TLS sessions, so a
/// new connection resumes one instead of a full handshake; NULL when libcurl cannot make one.
/// Thread-safe: it comes with lock callbacks.
CURLSH *ccurl_share_ssl_sessions(void);
/// Frees a share handle (CURLSHE_IN_USE, and nothing freed, while an easy handle still uses it).
CURLSHcode ccurl_share_cleanup(CURLSH *share);
/// An anonymous in-memory file (memfd_create, close-on-exec) holding `data`, for options that
/// take a file name (`/proc/self/fd/N`); its descriptor, or -1 when the system has none.
int ccurl_memory_file(const char *name, const void *data, size_t length);
#endif
