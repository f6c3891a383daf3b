#define _GNU_SOURCE  // memfd_create
#include "ccurl.h"
#include <dlfcn.h>
#include <errno.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/mman.h>
#endif
#include <pthread.h>
#include <stdio.h>

// The libcurl functions meshctl calls, resolved once by ccurl_load.
static struct {
  CURLcode (*global_init)(long);
  curl_version_info_data *(*version_info)(CURLversion);
  CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
  CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
  CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
  CURL *(*easy_init)(void);
  void (*easy_cleanup)(CURL *);
  const char *(*easy_strerror)(CURLcode);
  CURLM *(*multi_init)(void);
  CURLMcode (*multi_cleanup)(CURLM *);
  CURLMcode (*multi_add_handle)(CURLM *, CURL *);
  CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
  CURLMcode (*multi_perform)(CURLM *, int *);
  CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int, int, int *);
  CURLMcode (*multi_wakeup)(CURLM *);
  CURLMsg *(*multi_info_read)(CURLM *, int *);
  struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
  void (*slist_free_all)(struct curl_slist *);
  CURLSH *(*share_init)(void);
  CURLSHcode (*share_setopt)(CURLSH *, CURLSHoption, ...);
  CURLSHcode (*share_cleanup)(CURLSH *);
} curl;

static pthread_once_t ccurl_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t ccurl_share_locks[CURL_LOCK_DATA_LAST];
static CURLcode ccurl_init_result = CURLE_FAILED_INIT;
static char ccurl_error[512];

#define RESOLVE(field, name)                                                                  \
  if ((*(void **)&curl.field = dlsym(library, name)) == NULL) {                               \
    snprintf(ccurl_error, sizeof ccurl_error, "the system libcurl has no %s", name);          \
    return;                                                                                   \
  }

static void ccurl_load(void) {
  // The soname first (the runtime package, libcurl4); the development link as a fallback.
  // RTLD_LAZY: functions of the ~30 libraries behind libcurl that meshctl never reaches are not
  // looked up at load time (those linked with -z now are bound anyway).
  void *library = dlopen("libcurl.so.4", RTLD_LAZY | RTLD_LOCAL);
  if (library == NULL) library = dlopen("libcurl.so", RTLD_LAZY | RTLD_LOCAL);
  if (library == NULL) {
    const char *reason = dlerror();
    snprintf(ccurl_error, sizeof ccurl_error, "cannot load libcurl (apt-get install libcurl4): %s",
             reason ? reason : "not found");
    return;
  }
  RESOLVE(global_init, "curl_global_init")
  RESOLVE(version_info, "curl_version_info")
  RESOLVE(easy_setopt, "curl_easy_setopt")
  RESOLVE(easy_getinfo, "curl_easy_getinfo")
  RESOLVE(multi_setopt, "curl_multi_setopt")
  RESOLVE(easy_init, "curl_easy_init")
  RESOLVE(easy_cleanup, "curl_easy_cleanup")
  RESOLVE(easy_strerror, "curl_easy_strerror")
  RESOLVE(multi_init, "curl_multi_init")
  RESOLVE(multi_cleanup, "curl_multi_cleanup")
  RESOLVE(multi_add_handle, "curl_multi_add_handle")
  RESOLVE(multi_remove_handle, "curl_multi_remove_handle")
  RESOLVE(multi_perform, "curl_multi_perform")
  RESOLVE(multi_poll, "curl_multi_poll")
  RESOLVE(multi_wakeup, "curl_multi_wakeup")
  RESOLVE(multi_info_read, "curl_multi_info_read")
  RESOLVE(slist_append, "curl_slist_append")
  RESOLVE(slist_free_all, "curl_slist_free_all")
  RESOLVE(share_init, "curl_share_init")
  RESOLVE(share_setopt, "curl_share_setopt")
  RESOLVE(share_cleanup, "curl_share_cleanup")
  for (int index = 0; index < CURL_LOCK_DATA_LAST; index++) pthread_mutex_init(&ccurl_share_locks[index], NULL);
  // curl_global_init is not guaranteed thread-safe on every build (curl_global_init(3)), and
  // Swift may create transports from several threads: it runs here, under pthread_once.
  ccurl_init_result = curl.global_init(CURL_GLOBAL_ALL);
}

CURLcode ccurl_global_init_once(void) {
  pthread_once(&ccurl_once, ccurl_load);
  return ccurl_init_result;
}

const char *ccurl_load_error(void) {
  pthread_once(&ccurl_once, ccurl_load);
  return ccurl_error[0] ? ccurl_error : NULL;
}

CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
  return curl.easy_setopt(handle, option, value);
}

CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
  return curl.easy_setopt(handle, option, value);
}

CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
  return curl.easy_setopt(handle, option, value);
}

// CURLOPT_*_BLOB copy the bytes (CURL_BLOB_COPY), so the caller's buffer may go away.
CURLcode ccurl_easy_setopt_blob(CURL *handle, CURLoption option, const void *data, size_t length) {
  struct curl_blob blob = {(void *)data, length, CURL_BLOB_COPY};
  return curl.easy_setopt(handle, option, &blob);
}

CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
  return curl.easy_getinfo(handle, info, value);
}

CURLMcode ccurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
  return curl.multi_setopt(multi, option, value);
}

CURLcode ccurl_easy_set_write_callback(CURL *handle, ccurl_data_callback callback, void *context) {
  CURLcode code = curl.easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
  return code != CURLE_OK ? code : curl.easy_setopt(handle, CURLOPT_WRITEDATA, context);
}

CURLcode ccurl_easy_set_header_callback(CURL *handle, ccurl_data_callback callback, void *context) {
  CURLcode code = curl.easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
  return code != CURLE_OK ? code : curl.easy_setopt(handle, CURLOPT_HEADERDATA, context);
}

CURLcode ccurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *list) {
  return curl.easy_setopt(handle, option, list);
}

CURLcode ccurl_easy_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value) {
  return curl.easy_getinfo(handle, info, value);
}

int ccurl_multi_done(CURLMsg *message, CURL **handle, CURLcode *result) {
  if (message == NULL || message->msg != CURLMSG_DONE) return 0;
  *handle = message->easy_handle;
  *result = message->data.result;
  return 1;
}

const char *ccurl_version(void) {
  if (ccurl_global_init_once() != CURLE_OK && curl.version_info == NULL) return "unavailable";
  return curl.version_info(CURLVERSION_NOW)->version;
}

int ccurl_has_http2(void) {
  if (ccurl_global_init_once() != CURLE_OK && curl.version_info == NULL) return 0;
  return (curl.version_info(CURLVERSION_NOW)->features & CURL_VERSION_HTTP2) != 0;
}

CURL *ccurl_easy_init(void) {
  return ccurl_global_init_once() == CURLE_OK ? curl.easy_init() : NULL;
}
void ccurl_easy_cleanup(CURL *handle) { curl.easy_cleanup(handle); }
const char *ccurl_easy_strerror(CURLcode code) {
  return curl.easy_strerror ? curl.easy_strerror(code) : "libcurl is not loaded";
}
CURLM *ccurl_multi_init(void) {
  return ccurl_global_init_once() == CURLE_OK ? curl.multi_init() : NULL;
}
CURLMcode ccurl_multi_cleanup(CURLM *multi) { return curl.multi_cleanup(multi); }
CURLMcode ccurl_multi_add_handle(CURLM *multi, CURL *handle) { return curl.multi_add_handle(multi, handle); }
CURLMcode ccurl_multi_remove_handle(CURLM *multi, CURL *handle) { return curl.multi_remove_handle(multi, handle); }
CURLMcode ccurl_multi_perform(CURLM *multi, int *running) { return curl.multi_perform(multi, running); }
CURLMcode ccurl_multi_poll(CURLM *multi, struct curl_waitfd *fds, unsigned int count, int timeout_ms, int *ready) {
  return curl.multi_poll(multi, fds, count, timeout_ms, ready);
}
CURLMcode ccurl_multi_wakeup(CURLM *multi) { return curl.multi_wakeup(multi); }
CURLMsg *ccurl_multi_info_read(CURLM *multi, int *remaining) { return curl.multi_info_read(multi, remaining); }
struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *text) {
  return ccurl_global_init_once() == CURLE_OK ? curl.slist_append(list, text) : NULL;
}
void ccurl_slist_free_all(struct curl_slist *list) {
  if (curl.slist_free_all) curl.slist_free_all(list);
}

// Share handles are set on easy handles on the callers' threads and used on the transport's:
// libcurl takes these locks around what they share (curl_share_setopt(3), CURLSHOPT_LOCKFUNC).
// One mutex per kind of data, for every share handle: they are held only for moments
// (initialised in ccurl_load, before any share handle exists).

static void ccurl_share_lock(CURL *handle, curl_lock_data data, curl_lock_access access, void *context) {
  (void)handle, (void)access, (void)context;
  if ((unsigned)data < CURL_LOCK_DATA_LAST) pthread_mutex_lock(&ccurl_share_locks[data]);
}

static void ccurl_share_unlock(CURL *handle, curl_lock_data data, void *context) {
  (void)handle, (void)context;
  if ((unsigned)data < CURL_LOCK_DATA_LAST) pthread_mutex_unlock(&ccurl_share_locks[data]);
}

CURLSH *ccurl_share_ssl_sessions(void) {
  if (ccurl_global_init_once() != CURLE_OK) return NULL;
  CURLSH *share = curl.share_init();
  if (share == NULL) return NULL;
  if (curl.share_setopt(share, CURLSHOPT_LOCKFUNC, ccurl_share_lock) != CURLSHE_OK ||
      curl.share_setopt(share, CURLSHOPT_UNLOCKFUNC, ccurl_share_unlock) != CURLSHE_OK ||
      curl.share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK) {
    curl.share_cleanup(share);
    return NULL;
  }
  return share;
}

CURLSHcode ccurl_share_cleanup(CURLSH *share) {
  return share && curl.share_cleanup ? curl.share_cleanup(share) : CURLSHE_OK;
}

int ccurl_memory_file(const char *name, const void *data, size_t length) {
#ifndef __linux__
  (void)name, (void)data, (void)length;
  return -1;
#else
  int fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) return -1;
  const char *next = data;
  while (length > 0) {
    ssize_t written = write(fd, next, length);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      close(fd);
      return -1;
    }
    next += written;
    length -= (size_t)written;
  }
  return fd;
#endif
}
