/* A lean stand-in Kubernetes API server for bench/apply.sh (see bench/README.md, "Apply").
 *
 * The Python emulator (Tests/Emulator) spends about 0.7 ms of its own per request, which caps
 * what a client that keeps 32 requests in flight can show against one that sends them one by
 * one. This server answers the same requests in microseconds and adds one fixed latency to
 * each, so the benchmark measures the clients. It serves:
 *   - documents captured from the emulator (discovery, /version, OpenAPI) from DOCS/<path>.json;
 *   - server-side apply (PATCH application/apply-patch+yaml with a JSON body): the object is
 *     stored as sent, with uid, resourceVersion, creationTimestamp and generation added, and
 *     returned (201 created, 200 when it existed);
 *   - GET of a stored object (404 NotFound Status otherwise) and LIST of a collection (label and
 *     field selectors are not applied);
 *   - /_bench/reset (POST) and /_bench/stats (GET): no latency, not counted, no credentials.
 * It does not merge applies, track field managers, validate fields or serve any other verb.
 *
 *   apiserver --docs DIR [--token FILE] [--cert PEM --key PEM] [--http1-only] [--latency-ms N]
 *             [--port N] [--port-file FILE] [--log FILE]
 *
 * TLS when --cert/--key are given, plain HTTP/1.1 otherwise. Over TLS it speaks what the API
 * server speaks: ALPN "h2" when the client offers it, else "http/1.1"; HTTP/2 connections
 * advertise SETTINGS_MAX_CONCURRENT_STREAMS 100 (kube-apiserver's value since CVE-2023-44487).
 * --http1-only offers no ALPN, so every client speaks HTTP/1.1 (one request at a time per
 * connection). With --token every request must carry it as a bearer token (401 otherwise);
 * without, no credentials are checked (clients send none to a plain-HTTP server).
 *
 * One thread per connection, keep-alive. Requests are answered by one function whichever the
 * protocol (handle); the HTTP/1.1 and HTTP/2 paths only frame its answer. The latency delays
 * each request on its own: an HTTP/2 connection never sleeps but queues answered streams until
 * they are due and polls the socket until the next one is, so 64 streams that arrive together
 * are answered together one latency later.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <nghttp2/nghttp2.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- growable buffer ----------------------------------------------------------------------- */

typedef struct {
  char *data;
  size_t len, cap;
} buf_t;

static void buf_reserve(buf_t *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + extra + 1) cap *= 2;
  b->data = realloc(b->data, cap);
  if (!b->data) abort();
  b->cap = cap;
}

static void buf_add(buf_t *b, const char *bytes, size_t n) {
  buf_reserve(b, n);
  memcpy(b->data + b->len, bytes, n);
  b->len += n;
  b->data[b->len] = 0;
}

static void buf_printf(buf_t *b, const char *format, ...) {
  va_list args;
  va_start(args, format);
  int n = vsnprintf(NULL, 0, format, args);
  va_end(args);
  buf_reserve(b, (size_t)n);
  va_start(args, format);
  vsnprintf(b->data + b->len, (size_t)n + 1, format, args);
  va_end(args);
  b->len += (size_t)n;
}

/* ---- configuration and shared state -------------------------------------------------------- */

static const char *docs_dir;
static char *token;
static long latency_us;
static SSL_CTX *tls;
static int http1_only;
static FILE *request_log;
static long started_us;  /* the log's times count from here */

typedef struct {
  char *path;  /* the object's URL path: its identity */
  char *json;  /* the object as stored and returned */
  char created[32];  /* kept when the object is applied again, as its uid (its index) is */
} object_t;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static object_t *objects;
static size_t object_count, object_cap;
static long resource_version = 1;
static struct {
  long connections, http2_connections, peak_streams, requests, gets, lists, patches, patches_created,
      patches_updated, other, errors;
} stats;

/* Microseconds on the monotonic clock: when requests arrived and their answers are due. */
static long now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000L + t.tv_nsec / 1000;
}

/* ---- connections ----------------------------------------------------------------------------- */

typedef struct {
  int fd;
  SSL *ssl;
  int http2;  /* ALPN chose h2 */
  buf_t in;  /* bytes read and not yet consumed (HTTP/1.1) */
  int counted;  /* whether the connection is in stats.connections (the admin's are not) */
} conn_t;

static ssize_t conn_read(conn_t *c, char *into, size_t n) {
  if (!c->ssl) return read(c->fd, into, n);
  int got = SSL_read(c->ssl, into, (int)n);
  return got > 0 ? got : -1;
}

/* Waits until the socket is ready for `events`; an HTTP/2 connection's socket is non-blocking. */
static int conn_wait(conn_t *c, short events) {
  struct pollfd p = {.fd = c->fd, .events = events};
  while (poll(&p, 1, -1) < 0)
    if (errno != EINTR) return -1;
  return 0;
}

static int conn_write(conn_t *c, const char *bytes, size_t n) {
  while (n > 0) {
    ssize_t sent = c->ssl ? SSL_write(c->ssl, bytes, (int)n) : write(c->fd, bytes, n);
    if (sent <= 0 && c->ssl) {  /* retried with the same bytes, as OpenSSL requires */
      int error = SSL_get_error(c->ssl, (int)sent);
      if (error != SSL_ERROR_WANT_WRITE && error != SSL_ERROR_WANT_READ) return -1;
      if (conn_wait(c, error == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN) < 0) return -1;
      continue;
    }
    if (sent <= 0) return -1;
    bytes += sent;
    n -= (size_t)sent;
  }
  return 0;
}

/* Reads until `c->in` holds at least `n` bytes; -1 when the peer closed. */
static int conn_fill(conn_t *c, size_t n) {
  while (c->in.len < n) {
    buf_reserve(&c->in, 16384);
    ssize_t got = conn_read(c, c->in.data + c->in.len, c->in.cap - c->in.len - 1);
    if (got <= 0) return -1;
    c->in.len += (size_t)got;
    c->in.data[c->in.len] = 0;
  }
  return 0;
}

static void conn_consume(conn_t *c, size_t n) {
  memmove(c->in.data, c->in.data + n, c->in.len - n);
  c->in.len -= n;
  c->in.data[c->in.len] = 0;
}

/* ---- one request ----------------------------------------------------------------------------- */

typedef struct {
  char method[16];
  char path[4096];  /* without the query */
  char query[4096];
  char content_type[128];
  char authorization[512];
  int keep_alive;  /* HTTP/1.1 only */
  buf_t body;
} request_t;

/* What handle() answers; the protocol's path frames it. Always application/json. */
typedef struct {
  int status;
  buf_t body;
} response_t;

/* A header's value (trimmed) copied into `into`; 1 when present. */
static int header(const char *headers, const char *name, char *into, size_t size) {
  size_t name_len = strlen(name);
  for (const char *line = strstr(headers, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
    const char *start = line + 2;
    if (strncasecmp(start, name, name_len) != 0 || start[name_len] != ':') continue;
    const char *value = start + name_len + 1;
    while (*value == ' ' || *value == '\t') value++;
    const char *end = strstr(value, "\r\n");
    size_t len = end ? (size_t)(end - value) : strlen(value);
    while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t')) len--;
    if (len >= size) len = size - 1;
    memcpy(into, value, len);
    into[len] = 0;
    return 1;
  }
  return 0;
}

/* Reads one request (headers and body, by Content-Length or chunked); -1 on EOF or garbage. */
static int read_request(conn_t *c, request_t *r) {
  char *end;
  while (!(end = c->in.len ? strstr(c->in.data, "\r\n\r\n") : NULL)) {
    if (c->in.len > 1 << 20 || conn_fill(c, c->in.len + 1) < 0) return -1;
  }
  size_t head_len = (size_t)(end - c->in.data) + 4;
  char *head = strndup(c->in.data, head_len);
  conn_consume(c, head_len);
  char target[4096], version[16];
  if (sscanf(head, "%15s %4095s %15s", r->method, target, version) != 3) {
    free(head);
    return -1;
  }
  char *question = strchr(target, '?');
  snprintf(r->query, sizeof r->query, "%s", question ? question + 1 : "");
  if (question) *question = 0;
  snprintf(r->path, sizeof r->path, "%s", target);
  char value[256];
  r->keep_alive = strcmp(version, "HTTP/1.1") == 0;
  if (header(head, "Connection", value, sizeof value)) r->keep_alive = strcasecmp(value, "close") != 0;
  if (!header(head, "Content-Type", r->content_type, sizeof r->content_type)) r->content_type[0] = 0;
  if (!header(head, "Authorization", r->authorization, sizeof r->authorization)) r->authorization[0] = 0;
  int expect = header(head, "Expect", value, sizeof value) && strcasecmp(value, "100-continue") == 0;
  int chunked = header(head, "Transfer-Encoding", value, sizeof value) && strcasestr(value, "chunked");
  long length = header(head, "Content-Length", value, sizeof value) ? atol(value) : 0;
  free(head);
  if (expect) conn_write(c, "HTTP/1.1 100 Continue\r\n\r\n", 25);
  r->body.len = 0;
  if (!chunked) {
    if (length < 0 || conn_fill(c, (size_t)length) < 0) return -1;
    buf_add(&r->body, c->in.data, (size_t)length);
    conn_consume(c, (size_t)length);
    return 0;
  }
  for (;;) {
    while (!(end = strstr(c->in.data ? c->in.data : "", "\r\n")))
      if (conn_fill(c, c->in.len + 1) < 0) return -1;
    size_t size = strtoul(c->in.data, NULL, 16);
    conn_consume(c, (size_t)(end - c->in.data) + 2);
    if (conn_fill(c, size + 2) < 0) return -1;
    buf_add(&r->body, c->in.data, size);
    conn_consume(c, size + 2);
    if (size == 0) return 0;  /* no trailers are sent by the clients measured */
  }
}

static const char *reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 415: return "Unsupported Media Type";
    default: return "Error";
  }
}

static void answer(response_t *out, int status, const char *body, size_t len) {
  out->status = status;
  out->body.len = 0;
  buf_add(&out->body, body, len);
}

/* A Kubernetes Status answer. */
static void answer_status(response_t *out, int status, const char *reason, const char *message) {
  out->status = status;
  out->body.len = 0;
  buf_printf(&out->body,
             "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
             "\"message\":\"%s\",\"reason\":\"%s\",\"code\":%d}",
             message, reason, status);
  if (status >= 400) {
    pthread_mutex_lock(&lock);
    stats.errors++;
    pthread_mutex_unlock(&lock);
  }
}

/* ---- captured documents ---------------------------------------------------------------------- */

/* DOCS/<path>.json as a malloc'd string, or NULL. */
static char *document(const char *path, size_t *len) {
  if (strstr(path, "..") || strcmp(path, "/") == 0) return NULL;
  char file[4096];
  snprintf(file, sizeof file, "%s%s.json", docs_dir, path);
  FILE *f = fopen(file, "rb");
  if (!f) return NULL;
  buf_t b = {0};
  char chunk[16384];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_add(&b, chunk, n);
  fclose(f);
  if (!b.data) buf_add(&b, "", 0);
  *len = b.len;
  return b.data;
}

/* ---- JSON: just enough to find the top-level metadata of an object -------------------------- */

static const char *skip_ws(const char *p) {
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
  return p;
}

static const char *skip_string(const char *p) {  /* p at the opening quote */
  for (p++; *p && *p != '"'; p++)
    if (*p == '\\' && p[1]) p++;
  return *p ? p + 1 : NULL;
}

static const char *skip_value(const char *p) {
  p = skip_ws(p);
  if (*p == '"') return skip_string(p);
  if (*p == '{' || *p == '[') {
    int depth = 0;
    for (; *p; p++) {
      if (*p == '"') {
        p = skip_string(p);
        if (!p) return NULL;
        p--;
      } else if (*p == '{' || *p == '[') {
        depth++;
      } else if (*p == '}' || *p == ']') {
        if (--depth == 0) return p + 1;
      }
    }
    return NULL;
  }
  while (*p && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n') p++;
  return p;
}

/* The value of `key` in the object starting at `p` ('{'), or NULL. */
static const char *member(const char *p, const char *key) {
  p = skip_ws(p);
  if (*p != '{') return NULL;
  p = skip_ws(p + 1);
  size_t key_len = strlen(key);
  while (*p == '"') {
    const char *key_end = skip_string(p);
    if (!key_end) return NULL;
    int match = (size_t)(key_end - p - 2) == key_len && strncmp(p + 1, key, key_len) == 0;
    p = skip_ws(key_end);
    if (*p != ':') return NULL;
    const char *value = skip_ws(p + 1);
    if (match) return value;
    p = skip_value(value);
    if (!p) return NULL;
    p = skip_ws(p);
    if (*p == ',') p = skip_ws(p + 1);
  }
  return NULL;
}

/* ---- resources ------------------------------------------------------------------------------- */

/* Splits `/api/v1/...` or `/apis/G/V/...` into its group-version prefix and the rest. */
static int split_resource_path(const char *path, char *prefix, size_t size, const char **rest) {
  int slashes = strncmp(path, "/api/", 5) == 0 ? 2 : strncmp(path, "/apis/", 6) == 0 ? 3 : 0;
  if (!slashes) return 0;
  const char *p = path + 1;
  for (int i = 0; i < slashes; i++) {
    p = strchr(p, '/');
    if (!p) return 0;
    if (i < slashes - 1) p++;
  }
  if ((size_t)(p - path) >= size) return 0;
  memcpy(prefix, path, (size_t)(p - path));
  prefix[p - path] = 0;
  *rest = p + 1;
  return 1;
}

/* Whether the captured discovery document of `prefix` lists the resource `plural`. */
static int served(const char *prefix, const char *plural) {
  size_t len;
  char *doc = document(prefix, &len);
  if (!doc) return 0;
  char compact[300], spaced[300];
  snprintf(compact, sizeof compact, "\"name\":\"%s\"", plural);
  snprintf(spaced, sizeof spaced, "\"name\": \"%s\"", plural);
  int found = strstr(doc, compact) || strstr(doc, spaced);
  free(doc);
  return found;
}

static object_t *find_object(const char *path) {  /* lock held */
  for (size_t i = 0; i < object_count; i++)
    if (strcmp(objects[i].path, path) == 0) return &objects[i];
  return NULL;
}

/* Whether the object at `path` belongs to `collection` (the namespace's, or every namespace's). */
static int in_collection(const char *path, const char *collection, const char *prefix, const char *plural) {
  const char *slash = strrchr(path, '/');
  size_t parent = (size_t)(slash - path);
  if (strlen(collection) == parent && strncmp(path, collection, parent) == 0) return 1;
  char all[2400];  /* PREFIX/namespaces/NS/PLURAL/NAME is in PREFIX/PLURAL too */
  snprintf(all, sizeof all, "%s/namespaces/", prefix);
  if (strcmp(collection, prefix) == 0 || strncmp(path, all, strlen(all)) != 0) return 0;
  const char *ns_end = strchr(path + strlen(all), '/');
  size_t plural_len = strlen(plural);
  return ns_end && strncmp(ns_end + 1, plural, plural_len) == 0 && ns_end + 1 + plural_len == slash &&
         strlen(collection) == strlen(prefix) + 1 + plural_len;
}

static void list_objects(request_t *r, response_t *out, const char *prefix, const char *plural) {
  buf_t *body = &out->body;
  pthread_mutex_lock(&lock);
  stats.lists++;
  buf_printf(body, "{\"kind\":\"List\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"%ld\"},\"items\":[",
             resource_version);
  int first = 1;
  for (size_t i = 0; i < object_count; i++) {
    if (!in_collection(objects[i].path, r->path, prefix, plural)) continue;
    if (!first) buf_add(body, ",", 1);
    buf_add(body, objects[i].json, strlen(objects[i].json));
    first = 0;
  }
  pthread_mutex_unlock(&lock);
  buf_add(body, "]}", 2);
  out->status = 200;
}

static void get_object(request_t *r, response_t *out, const char *prefix, const char *plural, const char *name) {
  pthread_mutex_lock(&lock);
  stats.gets++;
  object_t *found = find_object(r->path);
  char *json = found ? strdup(found->json) : NULL;
  pthread_mutex_unlock(&lock);
  if (!json) {
    char message[512];
    const char *group = strncmp(prefix, "/apis/", 6) == 0 ? prefix + 6 : NULL;  /* G/V */
    int group_len = group ? (int)(strchr(group, '/') - group) : 0;
    snprintf(message, sizeof message, "%s%s%.*s \\\"%s\\\" not found", plural, group ? "." : "", group_len,
             group ? group : "", name);
    answer_status(out, 404, "NotFound", message);
    return;
  }
  answer(out, 200, json, strlen(json));
  free(json);
}

/* Server-side apply: stores the body as the object, metadata added, and answers it. */
static void apply_object(request_t *r, response_t *out, const char *name) {
  if (strcmp(r->content_type, "application/apply-patch+yaml") != 0) {
    answer_status(out, 415, "UnsupportedMediaType", "only server-side apply is served");
    return;
  }
  const char *body = r->body.data ? r->body.data : "";
  const char *metadata = member(body, "metadata");
  const char *given = metadata ? member(metadata, "name") : NULL;
  const char *given_end = given && *given == '"' ? skip_string(given) : NULL;
  if (!metadata || *metadata != '{' || !given_end || (size_t)(given_end - given - 2) != strlen(name) ||
      strncmp(given + 1, name, strlen(name)) != 0) {
    answer_status(out, 400, "BadRequest", "the body is not a JSON object whose metadata.name is the URL's");
    return;
  }
  int dry_run = strstr(r->query, "dryRun=All") != NULL;
  time_t now = time(NULL);
  char created[32];
  strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));

  pthread_mutex_lock(&lock);
  stats.patches++;
  object_t *existing = find_object(r->path);
  long version = dry_run ? resource_version : ++resource_version;
  char uid[40];
  snprintf(uid, sizeof uid, "00000000-0000-4000-8000-%012zx", existing ? (size_t)(existing - objects) : object_count);
  buf_t stored = {0};
  size_t open = (size_t)(metadata - body) + 1;
  buf_add(&stored, body, open);
  buf_printf(&stored, "\"uid\":\"%s\",\"resourceVersion\":\"%ld\",\"creationTimestamp\":\"%s\",\"generation\":1%s",
             uid, version, existing ? existing->created : created, *skip_ws(metadata + 1) == '}' ? "" : ",");
  buf_add(&stored, body + open, r->body.len - open);
  int status = existing ? 200 : 201;
  if (!dry_run) {
    if (existing) {
      free(existing->json);
      existing->json = strdup(stored.data);
    } else {
      if (object_count == object_cap) {
        object_cap = object_cap ? object_cap * 2 : 1024;
        objects = realloc(objects, object_cap * sizeof *objects);
      }
      object_t *added = &objects[object_count++];
      *added = (object_t){.path = strdup(r->path), .json = strdup(stored.data)};
      snprintf(added->created, sizeof added->created, "%s", created);
    }
    if (existing) stats.patches_updated++; else stats.patches_created++;
  }
  pthread_mutex_unlock(&lock);
  answer(out, status, stored.data, stored.len);
  free(stored.data);
}

static void resource_request(request_t *r, response_t *out) {
  char prefix[1024], segments[4][256];
  const char *rest;
  int count = 0;
  if (!split_resource_path(r->path, prefix, sizeof prefix, &rest)) {
    answer_status(out, 404, "NotFound", "the server could not find the requested resource");
    return;
  }
  for (const char *p = rest; *p && count < 5; count++) {
    const char *slash = strchr(p, '/');
    size_t len = slash ? (size_t)(slash - p) : strlen(p);
    if (count < 4 && len < sizeof segments[0]) {
      memcpy(segments[count], p, len);
      segments[count][len] = 0;
    }
    p = slash ? slash + 1 : p + len;
  }
  /* [plural], [plural, name], [namespaces, ns, plural], [namespaces, ns, plural, name] */
  int namespaced = count >= 3 && strcmp(segments[0], "namespaces") == 0;
  const char *plural = namespaced ? segments[2] : segments[0];
  int is_object = namespaced ? count == 4 : count == 2;
  if (count < 1 || count > 4 || (count >= 3 && !namespaced) || !served(prefix, plural)) {
    answer_status(out, 404, "NotFound", "the server could not find the requested resource");
    return;
  }
  const char *name = is_object ? segments[namespaced ? 3 : 1] : "";
  if (strcmp(r->method, "GET") == 0) {
    if (is_object) get_object(r, out, prefix, plural, name);
    else list_objects(r, out, prefix, plural);
    return;
  }
  if (strcmp(r->method, "PATCH") == 0 && is_object) {
    apply_object(r, out, name);
    return;
  }
  pthread_mutex_lock(&lock);
  stats.other++;
  pthread_mutex_unlock(&lock);
  answer_status(out, 405, "MethodNotAllowed", "the stand-in serves GET and server-side apply only");
}

/* ---- bench administration -------------------------------------------------------------------- */

static void admin(request_t *r, response_t *out) {
  pthread_mutex_lock(&lock);
  if (strcmp(r->path, "/_bench/reset") == 0 && strcmp(r->method, "POST") == 0) {
    for (size_t i = 0; i < object_count; i++) {
      free(objects[i].path);
      free(objects[i].json);
    }
    object_count = 0;
    memset(&stats, 0, sizeof stats);
  }
  out->status = 200;
  buf_printf(&out->body,
             "{\"latencyMs\":%.3f,\"connections\":%ld,\"http2Connections\":%ld,\"peakStreams\":%ld,"
             "\"requests\":%ld,\"gets\":%ld,\"lists\":%ld,\"patches\":%ld,\"patchesCreated\":%ld,"
             "\"patchesUpdated\":%ld,\"other\":%ld,\"errors\":%ld,\"objects\":%zu}\n",
             latency_us / 1000.0, stats.connections, stats.http2_connections, stats.peak_streams,
             stats.requests, stats.gets, stats.lists, stats.patches, stats.patches_created,
             stats.patches_updated, stats.other, stats.errors, object_count);
  pthread_mutex_unlock(&lock);
}

/* ---- one request, whichever the protocol ----------------------------------------------------- */

/* Counts the request (and its connection, the first time) unless it is the bench's own. */
static void count_request(conn_t *c) {
  pthread_mutex_lock(&lock);
  stats.requests++;
  if (!c->counted) {
    stats.connections++;
    stats.http2_connections += c->http2;
  }
  c->counted = 1;
  pthread_mutex_unlock(&lock);
}

/* Answers `r` into `out`; returns whether the answer waits the latency (the bench's own don't). */
static int handle(conn_t *c, request_t *r, response_t *out) {
  int delayed = strncmp(r->path, "/_bench/", 8) != 0;
  if (!delayed) {
    admin(r, out);
  } else {
    count_request(c);
    size_t len;
    char *doc;
    if (token && (strncmp(r->authorization, "Bearer ", 7) != 0 || strcmp(r->authorization + 7, token) != 0))
      answer_status(out, 401, "Unauthorized", "Unauthorized");
    else if (strcmp(r->method, "GET") == 0 && (doc = document(r->path, &len))) {
      answer(out, 200, doc, len);
      free(doc);
    } else {
      resource_request(r, out);
    }
  }
  if (request_log) {
    pthread_mutex_lock(&lock);
    /* when the request was answered (its answer goes out one latency later), ms from the start */
    fprintf(request_log, "%.3f %s %s%s%s %d %s\n", (now_us() - started_us) / 1000.0, r->method, r->path,
            r->query[0] ? "?" : "", r->query, out->status, c->http2 ? "h2" : "http/1.1");
    pthread_mutex_unlock(&lock);
  }
  return delayed;
}

/* Splits a request target into path and query. */
static void set_target(request_t *r, const char *target, size_t len) {
  const char *question = memchr(target, '?', len);
  size_t path_len = question ? (size_t)(question - target) : len;
  snprintf(r->path, sizeof r->path, "%.*s", (int)path_len, target);
  snprintf(r->query, sizeof r->query, "%.*s", question ? (int)(len - path_len - 1) : 0, question ? question + 1 : "");
}

/* ---- HTTP/1.1 -------------------------------------------------------------------------------- */

static int write_http1(conn_t *c, request_t *r, response_t *out) {
  buf_t frame = {0};
  buf_printf(&frame,
             "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
             "Cache-Control: no-cache, private\r\n%s\r\n",
             out->status, reason_phrase(out->status), out->body.len, r->keep_alive ? "" : "Connection: close\r\n");
  buf_add(&frame, out->body.data ? out->body.data : "", out->body.len);  /* one write: header and body in one segment */
  int result = conn_write(c, frame.data, frame.len);
  free(frame.data);
  return result;
}

static void sleep_until(long due_us) {
  for (long left = due_us - now_us(); left > 0; left = due_us - now_us()) {
    struct timespec delay = {left / 1000000, (left % 1000000) * 1000};
    nanosleep(&delay, NULL);
  }
}

/* One request at a time: the connection can only answer in order, so it sleeps out each latency. */
static void serve_http1(conn_t *c) {
  request_t r = {0};
  response_t out = {0};
  while (read_request(c, &r) == 0) {
    long arrived = now_us();
    out.body.len = 0;
    if (handle(c, &r, &out)) sleep_until(arrived + latency_us);
    if (write_http1(c, &r, &out) < 0 || !r.keep_alive) break;
  }
  free(r.body.data);
  free(out.body.data);
}

/* ---- HTTP/2 ---------------------------------------------------------------------------------- */

/* kube-apiserver's: 100 streams (since CVE-2023-44487), 256 KiB a stream, 100 of those a
 * connection; large enough that a burst of request bodies never waits for a WINDOW_UPDATE. */
enum { H2_MAX_STREAMS = 100, H2_STREAM_WINDOW = 256 * 1024, H2_CONNECTION_WINDOW = 100 * H2_STREAM_WINDOW };

typedef struct stream {
  int32_t id;
  request_t request;
  response_t response;
  size_t sent;  /* response body bytes handed to nghttp2 */
  long due_us;  /* when the answer goes out */
  int queued;
  struct stream *next;  /* in the connection's due queue */
} stream_t;

typedef struct {
  conn_t *conn;
  nghttp2_session *session;
  stream_t *first, *last;  /* answered, not yet due: arrival order is due order, the latency being fixed */
  long open_streams;
} h2_t;

static void h2_enqueue(h2_t *h, stream_t *s) {
  s->queued = 1;
  s->next = NULL;
  if (h->last) h->last->next = s; else h->first = s;
  h->last = s;
}

static void h2_unqueue(h2_t *h, stream_t *s) {
  stream_t **link = &h->first, *previous = NULL;
  while (*link && *link != s) {
    previous = *link;
    link = &(*link)->next;
  }
  if (!*link) return;
  *link = s->next;
  if (h->last == s) h->last = previous;
  s->queued = 0;
}

static int h2_begin_headers(nghttp2_session *session, const nghttp2_frame *frame, void *user) {
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  h2_t *h = user;
  stream_t *s = calloc(1, sizeof *s);
  s->id = frame->hd.stream_id;
  nghttp2_session_set_stream_user_data(session, s->id, s);
  pthread_mutex_lock(&lock);
  if (++h->open_streams > stats.peak_streams) stats.peak_streams = h->open_streams;
  pthread_mutex_unlock(&lock);
  return 0;
}

static void copy_value(char *into, size_t size, const uint8_t *value, size_t len) {
  snprintf(into, size, "%.*s", (int)len, (const char *)value);
}

static int h2_header(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name, size_t name_len,
                     const uint8_t *value, size_t value_len, uint8_t flags, void *user) {
  (void)flags, (void)user;
  stream_t *s = nghttp2_session_get_stream_user_data(session, frame->hd.stream_id);
  if (!s) return 0;
  request_t *r = &s->request;
  const char *n = (const char *)name;
  if (name_len == 7 && !memcmp(n, ":method", 7)) copy_value(r->method, sizeof r->method, value, value_len);
  else if (name_len == 5 && !memcmp(n, ":path", 5)) set_target(r, (const char *)value, value_len);
  else if (name_len == 12 && !memcmp(n, "content-type", 12)) copy_value(r->content_type, sizeof r->content_type, value, value_len);
  else if (name_len == 13 && !memcmp(n, "authorization", 13)) copy_value(r->authorization, sizeof r->authorization, value, value_len);
  return 0;
}

static int h2_data(nghttp2_session *session, uint8_t flags, int32_t id, const uint8_t *data, size_t len, void *user) {
  (void)flags, (void)user;
  stream_t *s = nghttp2_session_get_stream_user_data(session, id);
  if (s) buf_add(&s->request.body, (const char *)data, len);
  return 0;
}

/* A request is whole when its stream ends: answer it now, send it when due. */
static int h2_frame(nghttp2_session *session, const nghttp2_frame *frame, void *user) {
  if ((frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) || !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
    return 0;
  h2_t *h = user;
  stream_t *s = nghttp2_session_get_stream_user_data(session, frame->hd.stream_id);
  if (!s || s->queued) return 0;
  long arrived = now_us();
  s->due_us = handle(h->conn, &s->request, &s->response) ? arrived + latency_us : arrived;
  h2_enqueue(h, s);
  return 0;
}

static int h2_close(nghttp2_session *session, int32_t id, uint32_t error, void *user) {
  (void)error;
  h2_t *h = user;
  stream_t *s = nghttp2_session_get_stream_user_data(session, id);
  if (!s) return 0;
  nghttp2_session_set_stream_user_data(session, id, NULL);
  h2_unqueue(h, s);  /* a stream the client reset before its answer was due */
  h->open_streams--;
  free(s->request.body.data);
  free(s->response.body.data);
  free(s);
  return 0;
}

static ssize_t h2_body(nghttp2_session *session, int32_t id, uint8_t *into, size_t length, uint32_t *flags,
                       nghttp2_data_source *source, void *user) {
  (void)session, (void)id, (void)user;
  stream_t *s = source->ptr;
  size_t n = s->response.body.len - s->sent;
  if (n > length) n = length;
  memcpy(into, s->response.body.data + s->sent, n);
  s->sent += n;
  if (s->sent == s->response.body.len) *flags |= NGHTTP2_DATA_FLAG_EOF;
  return (ssize_t)n;
}

#define H2_HEADER(name, value) \
  { (uint8_t *)(name), (uint8_t *)(value), sizeof(name) - 1, strlen(value), NGHTTP2_NV_FLAG_NONE }

/* Submits every answer whose time has come. */
static void h2_release_due(h2_t *h) {
  long now = now_us();
  while (h->first && h->first->due_us <= now) {
    stream_t *s = h->first;
    h2_unqueue(h, s);
    char status[8], length[24];
    snprintf(status, sizeof status, "%d", s->response.status);
    snprintf(length, sizeof length, "%zu", s->response.body.len);
    nghttp2_nv headers[] = {H2_HEADER(":status", status), H2_HEADER("content-type", "application/json"),
                            H2_HEADER("content-length", length), H2_HEADER("cache-control", "no-cache, private")};
    nghttp2_data_provider body = {.source.ptr = s, .read_callback = h2_body};
    nghttp2_submit_response(h->session, s->id, headers, sizeof headers / sizeof *headers, &body);
  }
}

/* Writes every frame nghttp2 has ready, gathered into one TLS write. */
static int h2_flush(h2_t *h) {
  buf_t out = {0};
  const uint8_t *data;
  ssize_t n;
  while ((n = nghttp2_session_mem_send(h->session, &data)) > 0) buf_add(&out, (const char *)data, (size_t)n);
  int result = n < 0 ? -1 : out.len ? conn_write(h->conn, out.data, out.len) : 0;
  free(out.data);
  return result;
}

/* Waits for bytes to read or the next answer's due time; 1 when readable, 0 on time, -1 on error. */
static int h2_wait(h2_t *h) {
  if (SSL_pending(h->conn->ssl) > 0) return 1;  /* decrypted already: poll would not see it */
  struct pollfd p = {.fd = h->conn->fd, .events = POLLIN};
  struct timespec timeout, *until = NULL;
  if (h->first) {
    long left = h->first->due_us - now_us();
    if (left < 0) left = 0;
    timeout = (struct timespec){left / 1000000, (left % 1000000) * 1000};
    until = &timeout;
  }
  int ready = ppoll(&p, 1, until, NULL);
  if (ready < 0) return errno == EINTR ? 0 : -1;
  return ready > 0;
}

/* Feeds nghttp2 everything readable now; -1 when the peer closed or the bytes were not HTTP/2. */
static int h2_read(h2_t *h) {
  char chunk[16384];
  for (;;) {
    int got = SSL_read(h->conn->ssl, chunk, sizeof chunk);
    if (got <= 0) {
      int error = SSL_get_error(h->conn->ssl, got);
      return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE ? 0 : -1;
    }
    if (nghttp2_session_mem_recv(h->session, (const uint8_t *)chunk, (size_t)got) < 0) return -1;
  }
}

static nghttp2_session *h2_session(h2_t *h) {
  nghttp2_session_callbacks *callbacks;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, h2_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, h2_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, h2_data);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, h2_frame);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, h2_close);
  nghttp2_session *session;
  nghttp2_session_server_new(&session, callbacks, h);
  nghttp2_session_callbacks_del(callbacks);
  nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, H2_MAX_STREAMS},
                                       {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, H2_STREAM_WINDOW}};
  nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, settings, sizeof settings / sizeof *settings);
  nghttp2_session_set_local_window_size(session, NGHTTP2_FLAG_NONE, 0, H2_CONNECTION_WINDOW);
  return session;
}

/* Many streams at once: the thread reads whatever comes, answers each stream as its request
 * ends, and sends the answers as they fall due; it never sleeps with the socket unwatched. */
static void serve_http2(conn_t *c) {
  fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
  h2_t h = {.conn = c};
  h.session = h2_session(&h);
  for (;;) {
    h2_release_due(&h);
    if (h2_flush(&h) < 0) break;
    if (!nghttp2_session_want_read(h.session) && !nghttp2_session_want_write(h.session)) break;
    int ready = h2_wait(&h);
    if (ready < 0 || (ready > 0 && h2_read(&h) < 0)) break;
  }
  nghttp2_session_del(h.session);  /* closes the streams left, freeing them */
}

/* ---- the server ------------------------------------------------------------------------------ */

/* ALPN as the API server's: h2 first, HTTP/1.1 for clients that offer only that. */
static const unsigned char alpn_protocols[] = "\x02h2\x08http/1.1";

static int select_alpn(SSL *ssl, const unsigned char **out, unsigned char *out_len, const unsigned char *offered,
                       unsigned int offered_len, void *arg) {
  (void)ssl, (void)arg;
  unsigned char *chosen;
  if (SSL_select_next_proto(&chosen, out_len, alpn_protocols, sizeof alpn_protocols - 1, offered, offered_len) !=
      OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;  /* none in common: no ALPN, HTTP/1.1 */
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

static int negotiated_http2(SSL *ssl) {
  const unsigned char *protocol;
  unsigned int len;
  SSL_get0_alpn_selected(ssl, &protocol, &len);
  return len == 2 && memcmp(protocol, "h2", 2) == 0;
}

static void *connection(void *arg) {
  conn_t *c = arg;
  if (tls) {
    c->ssl = SSL_new(tls);
    SSL_set_fd(c->ssl, c->fd);
    if (SSL_accept(c->ssl) <= 0) goto done;
    c->http2 = negotiated_http2(c->ssl);
  }
  if (c->http2) serve_http2(c);
  else serve_http1(c);
done:
  if (c->ssl) {
    SSL_shutdown(c->ssl);
    SSL_free(c->ssl);
  }
  close(c->fd);
  free(c->in.data);
  free(c);
  return NULL;
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    exit(2);
  }
  buf_t b = {0};
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_add(&b, chunk, n);
  fclose(f);
  while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == ' ')) b.data[--b.len] = 0;
  return b.data;
}

int main(int argc, char **argv) {
  const char *cert = NULL, *key = NULL, *port_file = NULL, *token_file = NULL;
  int port = 0;
  for (int i = 1; i < argc; i += 2) {
    if (!strcmp(argv[i], "--http1-only")) {
      http1_only = 1;
      i--;  /* a flag: no value follows */
    } else if (i + 1 == argc) {
      fprintf(stderr, "apiserver: %s needs a value\n", argv[i]);
      return 64;
    } else if (!strcmp(argv[i], "--docs")) docs_dir = argv[i + 1];
    else if (!strcmp(argv[i], "--token")) token_file = argv[i + 1];
    else if (!strcmp(argv[i], "--cert")) cert = argv[i + 1];
    else if (!strcmp(argv[i], "--key")) key = argv[i + 1];
    else if (!strcmp(argv[i], "--latency-ms")) latency_us = (long)(atof(argv[i + 1]) * 1000);
    else if (!strcmp(argv[i], "--port")) port = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--port-file")) port_file = argv[i + 1];
    else if (!strcmp(argv[i], "--log")) {
      request_log = fopen(argv[i + 1], "w");
      if (request_log) setvbuf(request_log, NULL, _IOLBF, 0);
    }
    else {
      fprintf(stderr, "apiserver: unknown option %s\n", argv[i]);
      return 64;
    }
  }
  if (!docs_dir) {
    fprintf(stderr, "usage: apiserver --docs DIR [--token FILE] [--cert PEM --key PEM] [--http1-only] "
                    "[--latency-ms N] [--port N] [--port-file FILE] [--log FILE]\n");
    return 64;
  }
  if (token_file) token = read_file(token_file);
  started_us = now_us();
  signal(SIGPIPE, SIG_IGN);
  if (cert && key) {
    tls = SSL_CTX_new(TLS_server_method());
    if (!tls || SSL_CTX_use_certificate_chain_file(tls, cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(tls, key, SSL_FILETYPE_PEM) != 1) {
      ERR_print_errors_fp(stderr);
      return 2;
    }
    // Resumable TLS 1.3 session tickets, as Go's crypto/tls (the API server's) issues them:
    // stateless, each usable by any number of connections. OpenSSL's default keeps a server-side
    // record per ticket and honours each ticket once (its protection against replayed early data,
    // which Go does not accept at all), so a client's burst of connections resuming one session
    // would fall back to full handshakes for all but one.
    SSL_CTX_set_options(tls, SSL_OP_NO_ANTI_REPLAY);
    if (!http1_only) SSL_CTX_set_alpn_select_cb(tls, select_alpn, NULL);
  }
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t size = sizeof address;
  if (bind(listener, (struct sockaddr *)&address, sizeof address) < 0 || listen(listener, 512) < 0 ||
      getsockname(listener, (struct sockaddr *)&address, &size) < 0) {
    perror("apiserver: listen");
    return 2;
  }
  if (port_file) {
    FILE *f = fopen(port_file, "w");
    fprintf(f, "%d\n", ntohs(address.sin_port));
    fclose(f);
  }
  fprintf(stderr, "apiserver ready port=%d latency=%.3fms tls=%s protocols=%s\n", ntohs(address.sin_port),
          latency_us / 1000.0, tls ? "yes" : "no", tls && !http1_only ? "h2,http/1.1" : "http/1.1");
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attributes, 256 * 1024);
  for (;;) {
    int fd = accept(listener, NULL, NULL);
    if (fd < 0) continue;
    /* Answers go out in one write; no delay waiting to coalesce them with more. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    conn_t *c = calloc(1, sizeof *c);
    c->fd = fd;
    pthread_t thread;
    if (pthread_create(&thread, &attributes, connection, c) != 0) {
      close(fd);
      free(c);
    }
  }
}
