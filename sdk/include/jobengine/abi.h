/*
 * jobengine/abi.h — the stable C ABI between the JobEngine host and its plugins.
 *
 * This is the ONLY file with ABI weight. It compiles as C11 and as C++17. Only fixed-width
 * integers, pointer + length string pairs, opaque handles, function pointers and POD structs
 * cross it: no C++ types, no exceptions, no bool/enum fields, no ownership transfer.
 *
 * Rules (see DESIGN.md §2 and sdk/CHANGELOG.md):
 *  - A plugin exports exactly one symbol, je_plugin_entry_v1, returning a pointer to a static
 *    const je_plugin_descriptor that stays valid for the life of the process.
 *  - The host accepts a plugin when its abi_major equals JE_ABI_MAJOR and its abi_minor is
 *    <= the host's JE_ABI_MINOR.
 *  - Every struct begins with `uint32_t struct_size` (sizeof as compiled by whoever filled it)
 *    and only ever grows at the end; each added field is commented with the minor that added
 *    it. Readers must check struct_size before touching a field added after 1.0.
 *  - Errors cross as a je_status plus a caller-owned error buffer (char* err, uint32_t err_cap)
 *    which the callee fills with a NUL-terminated message, truncated to err_cap - 1 bytes.
 *  - Every function on either side is noexcept in spirit: it must never let a C++ exception
 *    escape. Whoever allocates frees. Strings passed in are borrowed for the duration of the
 *    call unless a field's comment says otherwise.
 *  - Registration with the host (routes, services, CLI commands) is allowed only inside
 *    create(); the host refuses it at any other time with JE_ERR_STATE. Registration with
 *    another plugin's service (a job type with je.jobs) happens in start(), when every plugin
 *    exists and plugin-provided services can be looked up. A plugin never names itself when it
 *    calls a service: it passes its je_host handle and the provider asks the host who that is
 *    (je_host_api.caller_id).
 *  - Host SQL functions a plugin may call inside its own statements are part of the ABI: they
 *    are listed below ("Host SQL functions"), versioned by a _v<n> suffix, in sdk/CHANGELOG.md,
 *    and covered by a contract test. A plugin's SQL names no other host table or function.
 *
 * Thread notes: host service functions may be called from any thread unless stated otherwise.
 * A je_txn belongs to one thread at a time (the thread that began it, or one it handed it to).
 */
#ifndef JOBENGINE_ABI_H
#define JOBENGINE_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define JE_ABI_MAJOR 1u
#define JE_ABI_MINOR 9u

#define JE_PLUGIN_ENTRY_SYMBOL "je_plugin_entry_v1"

#if defined(__GNUC__)
#define JE_EXPORT __attribute__((visibility("default")))
#else
#define JE_EXPORT
#endif

/* ---------------------------------------------------------------------------------------- */
/* Status codes. 0 is success; anything else is an error whose text is in the error buffer. */
/* ---------------------------------------------------------------------------------------- */
typedef int32_t je_status;
#define JE_OK 0
#define JE_ERR_INVALID 1     /* bad argument or malformed input */
#define JE_ERR_NOT_FOUND 2   /* named thing does not exist */
#define JE_ERR_CONFLICT 3    /* duplicate / unique violation / stale lease */
#define JE_ERR_STATE 4       /* call not allowed now (e.g. registration outside create) */
#define JE_ERR_UNSUPPORTED 5 /* version or feature not offered */
#define JE_ERR_DB 6          /* database error (message carries the SQLSTATE) */
#define JE_ERR_RETRY 7       /* transient: serialization failure, deadlock, lost connection */
#define JE_ERR_FORBIDDEN 8   /* tenant / scope rule refused the call */
#define JE_ERR_INTERNAL 9    /* bug or unexpected exception caught at the boundary */

/* Log levels for je_log_v1.log. */
#define JE_LOG_TRACE 0
#define JE_LOG_DEBUG 1
#define JE_LOG_INFO 2
#define JE_LOG_WARN 3
#define JE_LOG_ERROR 4

/* A borrowed string: data need not be NUL-terminated; len is in bytes (UTF-8). */
typedef struct je_str {
  const char* data;
  uint64_t len;
} je_str;

/* Receives a string produced by the callee; the bytes are valid only during the call, so the
 * receiver copies them. Lets the producer keep ownership ("whoever allocates frees"). */
typedef void (*je_str_sink)(void* user, const char* data, uint64_t len);

/* Opaque handles. */
typedef struct je_host je_host; /* one per loaded plugin; identifies the caller to the host */
typedef struct je_txn je_txn;   /* a store transaction, bound to one tenant or to "system" */

/* ---------------------------------------------------------------------------------------- */
/* Host API: handed to create(). Copy what you need; the struct lives as long as the plugin. */
/* ---------------------------------------------------------------------------------------- */
typedef struct je_host_api {
  uint32_t struct_size;
  uint32_t abi_major; /* the host's JE_ABI_MAJOR */
  uint32_t abi_minor; /* the host's JE_ABI_MINOR */
  uint32_t reserved0;
  je_host* host; /* this plugin's handle; pass it back on every call below */

  /* Looks up a service by name with at least min_version. On JE_OK *vtable points at the
   * service's vtable (first field struct_size) and stays valid until the plugin is destroyed.
   * Host services (je.log, je.config, je.http, je.store, je.metrics, ...) may be looked up in
   * create(); plugin-provided ones only in start() and later. Any thread. */
  je_status (*get_service)(je_host* host, const char* name, uint32_t min_version,
                           const void** vtable, char* err, uint32_t err_cap);

  /* Offers a service to other plugins. Only inside create(). vtable must stay valid until the
   * plugin is destroyed; duplicate names are refused with both owners named in err. */
  je_status (*provide_service)(je_host* host, const char* name, uint32_t version,
                               const void* vtable, char* err, uint32_t err_cap);

  /* Added in 1.2 (check struct_size). For a plugin that provides a service: the id of the
   * plugin behind `caller`, the je_host handle another plugin passed to one of the service's
   * functions. The handle is the caller's identity, handed out by the host, so nobody names
   * itself. JE_ERR_NOT_FOUND when caller is not a loaded plugin's handle. Any thread. */
  je_status (*caller_id)(je_host* host, je_host* caller, je_str_sink sink, void* user);
  /* Added in 1.2. For a plugin that provides je.jobs: records that plugin `owner` registered
   * job_type (flags: JE_JOB_TYPE_*), so that GET /plugins lists it under its owner with its
   * mode. Duplicates are refused naming both owners. Any thread. */
  je_status (*record_job_type)(je_host* host, je_host* owner, const char* job_type, uint32_t flags,
                               char* err, uint32_t err_cap);
} je_host_api;

/* Flags for je_host_api.record_job_type (1.2). */
#define JE_JOB_TYPE_IN_PROCESS 1u /* a handler in the owner plugin runs it; else external */

/* ---------------------------------------------------------------------------------------- */
/* Plugin descriptor: returned by je_plugin_entry_v1(); static const data in the plugin.     */
/* ---------------------------------------------------------------------------------------- */
typedef struct je_plugin_descriptor {
  uint32_t struct_size;
  uint32_t abi_major; /* JE_ABI_MAJOR the plugin was built against (required) */
  uint32_t abi_minor; /* JE_ABI_MINOR the plugin was built against (required) */
  uint32_t reserved0;
  const char* id;                 /* required: lower-case slug, e.g. "scheduler"; static storage */
  const char* version;            /* required: semver of the plugin; static storage */
  const char* description;        /* optional; static storage */
  const char* config_schema_json; /* optional: JSON Schema of [plugins.<id>]; static storage */

  /* required. Called once, on the host's main thread. Register routes, job types and services
   * here and nowhere else. *instance receives the plugin's own state pointer. config_json is
   * the plugin's [plugins.<id>] table (without "enabled") as a JSON object. */
  je_status (*create)(const je_host_api* api, const char* config_json, uint64_t config_len,
                      void** instance, char* err, uint32_t err_cap);
  /* required. After every enabled plugin was created, in load order. Look optional services
   * up here and start threads. */
  je_status (*start)(void* instance, char* err, uint32_t err_cap);
  /* required. In reverse load order. Must join every thread the plugin started. */
  void (*stop)(void* instance);
  /* required. Frees the instance. Called after stop(). */
  void (*destroy)(void* instance);
} je_plugin_descriptor;

typedef const je_plugin_descriptor* (*je_plugin_entry_fn)(void);

/* ---------------------------------------------------------------------------------------- */
/* je.log v1                                                                                  */
/* ---------------------------------------------------------------------------------------- */
#define JE_SERVICE_LOG "je.log"
typedef struct je_log_v1 {
  uint32_t struct_size;
  uint32_t reserved0;
  je_host* host;
  /* Logs one message at level (JE_LOG_*) on the plugin's own logger. Any thread. */
  void (*log)(je_host* host, int32_t level, const char* msg, uint64_t len);
  /* 1 when a message at level would be written. */
  int32_t (*enabled)(je_host* host, int32_t level);
} je_log_v1;

/* ---------------------------------------------------------------------------------------- */
/* je.config v1                                                                               */
/* ---------------------------------------------------------------------------------------- */
#define JE_SERVICE_CONFIG "je.config"
typedef struct je_config_v1 {
  uint32_t struct_size;
  uint32_t reserved0;
  je_host* host;
  /* The plugin's [plugins.<id>] table as JSON (same as create()'s config_json). */
  void (*plugin_config)(je_host* host, je_str_sink sink, void* user);
  /* A host setting as JSON, by dotted path ("http.port", "database.mode"); secrets are never
   * returned. JE_ERR_NOT_FOUND when absent. */
  je_status (*host_setting)(je_host* host, const char* path, je_str_sink sink, void* user);
} je_config_v1;

/* ---------------------------------------------------------------------------------------- */
/* je.http v1: routes on the REST listener.                                                   */
/* ---------------------------------------------------------------------------------------- */
#define JE_SERVICE_HTTP "je.http"

/* One request, valid only during the handler call. Strings are borrowed. */
typedef struct je_request {
  uint32_t struct_size;
  uint32_t reserved0;
  je_str method; /* "GET", "POST", ... */
  je_str path;   /* the path without the query string */
  je_str query;  /* the raw query string without '?' (may be empty) */
  je_str body;   /* raw body bytes */
  /* Request context, filled by the host middleware after authentication. Empty when absent. */
  je_str tenant;          /* the tenant the request is bound to */
  je_str project;         /* X-StellaOps-Project, may be empty */
  je_str subject;         /* the token's sub */
  je_str scopes;          /* space-separated granted scopes */
  je_str trace_id;        /* 32 hex chars */
  je_str request_id;      /* X-Request-Id (echoed or generated) */
  je_str operator_reason; /* X-StellaOps-Operator-Reason */
  je_str operator_ticket; /* X-StellaOps-Operator-Ticket */
  /* A store transaction opened by the host for this request, bound to `tenant`, when the route
   * was registered with JE_ROUTE_TXN; else NULL. The host commits it after the handler returns
   * a 2xx status (together with the idempotency record) and rolls it back otherwise. The
   * handler must not commit or roll it back itself. */
  je_txn* txn;
  void* impl; /* host-private */
  /* Path parameter by name (without ':'), e.g. "id" for "/jobs/:id". JE_ERR_NOT_FOUND if none. */
  je_status (*path_param)(const struct je_request* req, const char* name, je_str* out);
  /* First value of a query parameter, URL-decoded. JE_ERR_NOT_FOUND if absent. */
  je_status (*query_param)(const struct je_request* req, const char* name, je_str* out);
  /* Request header by case-insensitive name. JE_ERR_NOT_FOUND if absent. */
  je_status (*header)(const struct je_request* req, const char* name, je_str* out);
} je_request;

/* The response being built; valid only during the handler call. The host sends it after the
 * handler returns. Default status 200, default content type application/json. */
typedef struct je_response {
  uint32_t struct_size;
  uint32_t reserved0;
  void* impl; /* host-private */
  void (*set_status)(struct je_response* resp, int32_t status);
  /* Adds a response header; setting Content-Type replaces the default. */
  void (*set_header)(struct je_response* resp, const char* name, uint64_t name_len,
                     const char* value, uint64_t value_len);
  /* Appends body bytes. */
  void (*write)(struct je_response* resp, const char* data, uint64_t len);

  /* Added in 1.2 (check struct_size). Answers with a body the host pulls from `produce` after
   * the handler returned, chunk by chunk, never holding the whole body in memory. Bytes
   * written with write() are discarded. content_length < 0: unknown. The host calls release
   * (may be NULL) exactly once, after the last produce call or when the answer is abandoned
   * (client gone, engine stopping). Only for a 2xx status on a route without JE_ROUTE_TXN. */
  je_status (*stream)(struct je_response* resp, int64_t content_length,
                      int64_t (*produce)(void* user, char* buf, uint64_t cap),
                      void (*release)(void* user), void* user);
  /* Added in 1.2. Answers with the content of a file, sent by the host without reading it into
   * memory. The path is copied; flags JE_SEND_FILE_DELETE removes the file once sent or
   * abandoned. JE_ERR_NOT_FOUND when it cannot be opened. */
  je_status (*send_file)(struct je_response* resp, const char* path, uint64_t path_len,
                         uint32_t flags);
} je_response;

/* Flags for je_response.send_file (1.2). */
#define JE_SEND_FILE_DELETE 1u

/* A route handler. Runs on the host's request worker pool (never on a reactor thread), so it
 * may block on the database. Return JE_OK having filled resp; a non-OK status makes the host
 * answer 500 with the error envelope (the handler should rather set a 4xx itself). */
typedef je_status (*je_route_handler)(void* user, const je_request* req, je_response* resp);

/* Route flags. */
#define JE_ROUTE_TXN 1u    /* open a tenant-bound transaction for the handler (req->txn) */
#define JE_ROUTE_PUBLIC 2u /* no authentication at all (health probes, OpenAPI) */

typedef struct je_route_def {
  uint32_t struct_size;
  uint32_t flags;     /* JE_ROUTE_* */
  const char* method; /* required: GET POST PUT PATCH DELETE */
  const char* path;   /* required: pattern, ":name" segments, e.g. "/api/v1/jobengine/jobs/:id" */
  const char* scope;  /* required unless JE_ROUTE_PUBLIC: e.g. "orch:read" */
  /* optional: the OpenAPI 3.1 operation object of this route (summary, requestBody, responses
   * per status with schemas and examples). Since 1.3 the host validates request bodies against
   * its requestBody schema before the handler runs (422 VALIDATION_FAILED, docs/api.md). */
  const char* openapi_json;
  je_route_handler handler; /* required */
  void* user;               /* passed back to handler */
} je_route_def;

typedef struct je_http_v1 {
  uint32_t struct_size;
  uint32_t reserved0;
  je_host* host;
  /* Registers a route; only inside create(). The definition's strings are copied. A route
   * (method + path) that another plugin owns is refused naming both owners. */
  je_status (*register_route)(je_host* host, const je_route_def* def, char* err, uint32_t err_cap);
  /* 1.3: registers this plugin's shared OpenAPI components (a JSON object such as
   * {"schemas": {"Job": {...}}, "examples": {...}}); only inside create(), before or after the
   * routes that reference them ("$ref": "#/components/schemas/Job"). Merged into the live
   * document's components; a name another owner registered is refused naming both owners.
   * Schemas are JSON Schema (OpenAPI 3.1) and also validate request bodies: docs/api.md,
   * "Schemas". Check struct_size before calling on a host that might be older. */
  je_status (*register_components)(je_host* host, const char* components_json, char* err,
                                   uint32_t err_cap);
} je_http_v1;

/* ---------------------------------------------------------------------------------------- */
/* je.store v1: transactions on the host's PostgreSQL pool.                                   */
/* ---------------------------------------------------------------------------------------- */
#define JE_SERVICE_STORE "je.store"

/* One text-format statement parameter. is_null != 0 sends SQL NULL. */
typedef struct je_param {
  const char* data;
  uint64_t len;
  uint32_t is_null;
  uint32_t reserved0;
} je_param;

/* One result row, valid only during the row callback. */
typedef struct je_row {
  uint32_t struct_size;
  uint32_t column_count;
  void* impl;
  /* Column value in text format; *is_null set to 1 for SQL NULL. JE_ERR_INVALID for a bad index. */
  je_status (*get)(const struct je_row* row, uint32_t column, je_str* out, int32_t* is_null);
  /* Column name. */
  je_status (*name)(const struct je_row* row, uint32_t column, je_str* out);
} je_row;

/* Called once per row; return JE_OK to continue, anything else to stop (the status is
 * returned by exec). */
typedef je_status (*je_row_callback)(void* user, const je_row* row);

/* Binds a transaction to no single tenant: row-level security lets it see every tenant's rows.
 * For host and scheduler maintenance (runner claims, lease sweeps); "system" is reserved and
 * never a real tenant id. */
#define JE_TENANT_SYSTEM "system"

/* Transaction flags. */
#define JE_TXN_READ_ONLY 1u

typedef struct je_store_v1 {
  uint32_t struct_size;
  uint32_t reserved0;
  je_host* host;
  /* Begins a transaction bound to tenant (row-level security sees only that tenant's rows),
   * or to JE_TENANT_SYSTEM. Blocks until a pooled connection is free. */
  je_status (*begin)(je_host* host, const char* tenant, uint64_t tenant_len, uint32_t flags,
                     je_txn** out, char* err, uint32_t err_cap);
  /* Runs one parameterized statement ($1, $2 ...). Rows go to on_row (may be NULL);
   * *affected (may be NULL) receives the affected or returned row count. On a database error
   * the transaction is aborted: only rollback is allowed afterwards. Unique violations map to
   * JE_ERR_CONFLICT, serialization failures / deadlocks / lost connections to JE_ERR_RETRY,
   * other errors to JE_ERR_DB; err starts with "SQLSTATE xxxxx: ". */
  je_status (*exec)(je_host* host, je_txn* txn, const char* sql, uint64_t sql_len,
                    const je_param* params, uint32_t param_count, je_row_callback on_row,
                    void* user, uint64_t* affected, char* err, uint32_t err_cap);
  /* Commits and frees the transaction (also on failure). */
  je_status (*commit)(je_host* host, je_txn* txn, char* err, uint32_t err_cap);
  /* Rolls back and frees the transaction. Safe on an aborted transaction. */
  void (*rollback)(je_host* host, je_txn* txn);
  /* Registers a callback run once after txn commits successfully (never on rollback), on the
   * committing thread. Used for wake-ups (NOTIFY-like in-process signals). */
  je_status (*on_commit)(je_host* host, je_txn* txn, void (*fn)(void* user), void* user, char* err,
                         uint32_t err_cap);
  /* The tenant the transaction is bound to. */
  je_str (*tenant)(je_host* host, const je_txn* txn);
  /* Added in 1.9 (check struct_size). Registers a callback run once when txn ends, however it
   * ends, on the thread that ends it: committed = 1 after a successful commit (after the
   * on_commit callbacks), 0 on rollback, a failed COMMIT or a COMMIT whose outcome is unknown.
   * What on_commit cannot do: free what a callback owns when the transaction rolls back. */
  je_status (*on_end)(je_host* host, je_txn* txn, void (*fn)(void* user, int committed), void* user,
                      char* err, uint32_t err_cap);
} je_store_v1;

/* ---------------------------------------------------------------------------------------- */
/* je.metrics v1: Prometheus metrics exposed at /metrics. Names are prefixed by the host with  */
/* "jobengine_"; labels are a flat JSON object of strings ("{}" or NULL for none).             */
/* ---------------------------------------------------------------------------------------- */
#define JE_SERVICE_METRICS "je.metrics"
typedef struct je_metrics_v1 {
  uint32_t struct_size;
  uint32_t reserved0;
  je_host* host;
  void (*counter_add)(je_host* host, const char* name, const char* help, const char* labels_json,
                      double value);
  void (*gauge_set)(je_host* host, const char* name, const char* help, const char* labels_json,
                    double value);
  /* Histogram with the host's default latency buckets (seconds). */
  void (*histogram_observe)(je_host* host, const char* name, const char* help,
                            const char* labels_json, double value);
} je_metrics_v1;

/* ---------------------------------------------------------------------------------------- */
/* je.events v1: the outbox. Appends an orch.event.v1 envelope inside a store transaction.    */
/* ---------------------------------------------------------------------------------------- */
#define JE_SERVICE_EVENTS "je.events"

/* A committed event delivered to a subscriber: the full envelope as JSON. */
typedef void (*je_event_callback)(void* user, int64_t seq, const char* envelope_json, uint64_t len);

/* Added in 1.1: a wake-up signal arrived (je_events_v1.watch). */
typedef void (*je_signal_callback)(void* user);

typedef struct je_events_v1 {
  uint32_t struct_size;
  uint32_t reserved0;
  je_host* host;
  /* Appends an event to the outbox in txn. event_json is a partial envelope: eventType is
   * required; the host fills schemaVersion, eventId, seq, occurredAt and tenantId (from the
   * transaction) and keeps every other field given. The event becomes visible only if txn
   * commits. out_event_id (may be NULL) receives the eventId. */
  je_status (*append)(je_host* host, je_txn* txn, const char* event_json, uint64_t len,
                      je_str_sink out_event_id, void* user, char* err, uint32_t err_cap);
  /* Subscribes to committed events of every tenant in seq order, starting after after_seq
   * (-1: only new ones). Called on a host thread; must return quickly. Only inside create()
   * or start(); the subscription ends when the plugin stops. */
  je_status (*subscribe)(je_host* host, int64_t after_seq, je_event_callback cb, void* user,
                         char* err, uint32_t err_cap);
  /* Added in 1.1: wake-up signals across replicas. Check struct_size before calling.
   * signal() asks that every replica's watchers of name (this replica's too) be called soon,
   * through the database's LISTEN/NOTIFY: signals raised within about a millisecond fold into
   * one call per watcher. A signal carries no data and is lost while a replica's listen
   * connection is down, so it only cuts the latency of something that also polls. Raise it
   * after the commit that made the work visible (Txn::onCommit), never before. name: 1..63
   * bytes of [a-z0-9._-]. Callable from any thread at any time; a no-op when the host has no
   * database (e.g. `plugins list`). */
  je_status (*signal)(je_host* host, const char* name, uint64_t len, char* err, uint32_t err_cap);
  /* Added in 1.1. Calls cb(user) on a host thread each time signal name arrives, from any
   * replica; cb must return quickly (set a flag, notify a condition variable). Only inside
   * create() or start(); the watch ends when the plugin stops. */
  je_status (*watch)(je_host* host, const char* name, uint64_t len, je_signal_callback cb,
                     void* user, char* err, uint32_t err_cap);
  /* Added in 1.2. Appends several events in txn in one round trip: events_json is a JSON array
   * of partial envelopes, each following append's rules; their seqs follow the array order.
   * out_event_ids (may be NULL) receives a JSON array of the eventIds. All or nothing.
   *
   * Request metadata (1.2, append and append_batch alike, and jobengine.append_events_v1):
   * the host sets actor, operator, requestId and traceId itself, replacing any given. In a
   * transaction begun while the calling thread serves an API request (req->txn included):
   * actor {subject, scopes} of the request's token, operator {reason, ticket} when the
   * request carried them, the request's requestId and traceId. Anywhere else (runner threads,
   * sweepers, schedules): actor {subject: "system:<plugin id>"} of the plugin that began the
   * transaction, and no operator, requestId or traceId. */
  je_status (*append_batch)(je_host* host, je_txn* txn, const char* events_json, uint64_t len,
                            je_str_sink out_event_ids, void* user, char* err, uint32_t err_cap);
  /* Added in 1.5 (check struct_size). A cursor read of the outbox inside the caller's txn:
   * committed events with seq > after_seq, ascending, at most `limit` (1..10000), each handed
   * to cb(user, seq, envelope_json, len) on the calling thread before read_after returns (the
   * envelope is the one the streams and GET /events carry; its bytes are valid only during
   * the call). *out_count (may be NULL) receives how many were delivered; fewer than `limit`
   * means the reader is caught up. Bounded by the event horizon like every outbox reader: once
   * a cursor "last seq read" passed seq X, no event with seq <= X can still commit, so a
   * cursor kept in the plugin's own table, written in the same txn, never skips or repeats an
   * event. txn bound to JE_TENANT_SYSTEM: every tenant's events; bound to a tenant: only that
   * tenant's (row-level security). Read-write or read-only txn alike; the planner settings
   * the read needs are restored before it returns, so the caller's later statements plan as
   * before. For catch-up and bulk work (the audit ledger chains a million events this way);
   * subscribe's callback must return quickly and is only a wake-up. Any thread that owns txn;
   * cb must not use txn. JE_ERR_INVALID for a bad argument, database errors as exec. */
  je_status (*read_after)(je_host* host, je_txn* txn, int64_t after_seq, uint32_t limit,
                          je_event_callback cb, void* user, uint32_t* out_count, char* err,
                          uint32_t err_cap);
} je_events_v1;

/* ---------------------------------------------------------------------------------------- */
/* je.leader v1: "am I the elected replica?"                                                  */
/* ---------------------------------------------------------------------------------------- */
#define JE_SERVICE_LEADER "je.leader"
typedef struct je_leader_v1 {
  uint32_t struct_size;
  uint32_t reserved0;
  je_host* host;
  /* 1 when this replica holds the leadership lock; *epoch (may be NULL) receives the fencing
   * epoch, which grows every time leadership changes hands. */
  int32_t (*is_leader)(je_host* host, int64_t* epoch);
  /* Added in 1.2 (check struct_size). Calls cb(user, is_leader, epoch) on a host thread each
   * time this replica gains (1) or loses (0) leadership, and once soon after the call with the
   * current state. cb must return quickly. A leader that loses its database connection calls
   * cb(0) as soon as it notices; writes it makes before noticing are made harmless by fencing
   * them on its epoch (jobengine.leader_epoch_is_current_v1 below). Only inside create() or
   * start(); the watch ends when the plugin stops. */
  je_status (*watch)(je_host* host, void (*cb)(void* user, int32_t is_leader, int64_t epoch),
                     void* user, char* err, uint32_t err_cap);
} je_leader_v1;

/* ---------------------------------------------------------------------------------------- */
/* je.cli v1 (added in 1.2): `jobengine <command> ...` subcommands provided by plugins.        */
/* ---------------------------------------------------------------------------------------- */
#define JE_SERVICE_CLI "je.cli"

/* One invocation of a plugin command; valid only during the handler call. */
typedef struct je_cli_invocation {
  uint32_t struct_size;
  int32_t argc;            /* arguments after the command name */
  const char* const* argv; /* argc NUL-terminated strings */
  void* impl;              /* host-private */
  /* Writes to the command's standard output / standard error. */
  void (*out)(const struct je_cli_invocation* inv, const char* data, uint64_t len);
  void (*err)(const struct je_cli_invocation* inv, const char* data, uint64_t len);
} je_cli_invocation;

/* Runs a command; returns the process exit status (0 success). Must not throw. */
typedef int32_t (*je_cli_handler)(void* user, const je_cli_invocation* inv);

/* Command flags. */
#define JE_CLI_NEEDS_DATABASE 1u /* open the database (embedded or external) before running */

typedef struct je_cli_command_def {
  uint32_t struct_size;
  uint32_t flags;         /* JE_CLI_* */
  const char* name;       /* required: one word, [a-z][a-z0-9-]*, e.g. "jobs"; not a host command */
  const char* summary;    /* required: one line for `jobengine --help` */
  const char* usage;      /* optional: shown by `jobengine <name> --help` */
  je_cli_handler handler; /* required */
  void* user;
} je_cli_command_def;

typedef struct je_cli_v1 {
  uint32_t struct_size;
  uint32_t reserved0;
  je_host* host;
  /* Registers a command; only inside create(). Strings are copied. A name another plugin or
   * the host owns is refused naming both owners. */
  je_status (*register_command)(je_host* host, const je_cli_command_def* def, char* err,
                                uint32_t err_cap);
} je_cli_v1;

/* ---------------------------------------------------------------------------------------- */
/* Host SQL functions (added in 1.2): the only host objects a plugin's SQL may name. Each is   */
/* versioned by its suffix; a change of signature or meaning is a new _v<n>, the old one kept  */
/* while any ABI 1.x plugin may call it. (migrations/host/0006_plugin_sql_api, 0007_leader)    */
/* ---------------------------------------------------------------------------------------- */
/* jobengine.event_input_v1: the composite type one event to append is built as: (tenant_id
 *   text, event_type text, project_id text, run_id uuid, job_id uuid, source_id text,
 *   job_type text, job_status text, from_status text, reason text, attempt integer,
 *   lease_id uuid, payload_digest text, body json). The job fields are NULL for an event
 *   that is not a job transition; body holds the envelope's other fields ({"data": {...}},
 *   NULL: {"data": {}}).
 * jobengine.append_events_v1(events jobengine.event_input_v1[]) RETURNS integer: appends them
 *   to the outbox in array order with their seqs, adding the request metadata described at
 *   je_events_v1.append_batch; returns the count. NULL or an empty array appends nothing.
 * jobengine.job_events_v1(tenant text, job_id uuid, after_seq bigint, max_rows integer)
 *   RETURNS TABLE(seq bigint, event_type text, occurred_at timestamptz, body json): a job's
 *   events in seq order (its history; NULL after_seq / max_rows: all), body being the
 *   envelope without schemaVersion, seq, eventType, occurredAt, tenantId and projectId.
 * jobengine.leader_epoch_is_current_v1(epoch bigint) RETURNS boolean: true while epoch is the
 *   current leader epoch; it share-locks the epoch so a new election waits for the caller's
 *   commit. Fence a leader-only write with it: `UPDATE ... WHERE ... AND
 *   jobengine.leader_epoch_is_current_v1($epoch)` changes nothing once deposed. */
#define JE_SQL_APPEND_EVENTS "jobengine.append_events_v1"
#define JE_SQL_EVENT_INPUT "jobengine.event_input_v1"
#define JE_SQL_JOB_EVENTS "jobengine.job_events_v1"
#define JE_SQL_LEADER_EPOCH_IS_CURRENT "jobengine.leader_epoch_is_current_v1"

/* ---------------------------------------------------------------------------------------- */
/* je.jobs v1: provided by the scheduler plugin.                                              */
/* ---------------------------------------------------------------------------------------- */
#define JE_SERVICE_JOBS "je.jobs"

/* What je_jobs_v1.count_jobs counts (1.4). */
#define JE_JOBS_COUNT_ACTIVE 1    /* leased + running */
#define JE_JOBS_COUNT_BACKLOG 2   /* queued + throttled */
#define JE_JOBS_COUNT_THROTTLED 3 /* throttled */

/* Job outcomes reported by an in-process handler through je_job_context.fail. */
#define JE_JOB_FAILED 1
#define JE_JOB_TIMED_OUT 2
#define JE_JOB_CANCELED 3

/* What an in-process handler sees of its job; valid only during the handler call. */
typedef struct je_job_context {
  uint32_t struct_size;
  int32_t attempt;
  je_str tenant;
  je_str project;
  je_str job_id;
  je_str job_type;
  je_str run_id;
  je_str source_id;
  je_str lease_id;
  je_str trace_id;
  je_str correlation_id;
  je_str payload; /* JSON */
  void* impl;
  /* Reports progress (0..100, message optional) and renews the lease; *cancel_requested
   * (may be NULL) is set to 1 when the job was canceled and the handler should stop. */
  je_status (*progress)(const struct je_job_context* ctx, int32_t percent, const char* msg,
                        uint64_t msg_len, int32_t* cancel_requested);
  /* 1 when cancellation was requested. Cheap; no database round trip. */
  int32_t (*cancel_requested)(const struct je_job_context* ctx);
  /* Records an artifact (content-addressed output) for this job. */
  je_status (*add_artifact)(const struct je_job_context* ctx, const char* uri, uint64_t uri_len,
                            const char* digest, uint64_t digest_len, const char* media_type,
                            uint64_t media_type_len, int64_t size_bytes);
  /* Marks the outcome as not successful (JE_JOB_FAILED/TIMED_OUT/CANCELED) with an error code
   * and message; retryable != 0 lets the scheduler retry it. The handler then returns non-OK. */
  void (*fail)(const struct je_job_context* ctx, int32_t outcome, const char* code,
               uint64_t code_len, const char* msg, uint64_t msg_len, int32_t retryable);
} je_job_context;

/* An in-process job handler. Runs on the scheduler's runner pool. Return JE_OK for success;
 * otherwise call ctx->fail first (a non-OK return without fail counts as a retryable failure). */
typedef je_status (*je_job_handler)(void* user, const je_job_context* ctx);

typedef struct je_job_type_def {
  uint32_t struct_size;
  uint32_t reserved0;
  const char* job_type;   /* required: "<plugin id>.<name>", e.g. "concelier.fetch" */
  je_job_handler handler; /* NULL: external type, claimed through the worker bridge */
  void* user;
  int32_t max_attempts;    /* <= 0: scheduler default */
  int32_t lease_seconds;   /* <= 0: scheduler default */
  int32_t timeout_seconds; /* <= 0: no timeout beyond the lease */
  int32_t backoff_base_ms; /* <= 0: scheduler default */
  double backoff_factor;   /* <= 0: scheduler default */
  int32_t backoff_cap_ms;  /* <= 0: scheduler default */
  int32_t reserved1;
} je_job_type_def;

typedef struct je_jobs_v1 {
  uint32_t struct_size;
  uint32_t reserved0;
  void* self; /* the provider's state; pass back on every call */
  /* Registers a job type; only inside the caller's start(). Duplicates are refused naming
   * both owners. owner is the caller's plugin id, trusted as given: use register_type_for
   * (1.2) instead, which asks the host who is calling. */
  je_status (*register_type)(void* self, const char* owner, const je_job_type_def* def, char* err,
                             uint32_t err_cap);
  /* Enqueues jobs described by request_json ({"jobs":[...]} or one job object) inside txn (or
   * in a transaction of its own bound to tenant when txn is NULL). out receives the response
   * JSON ({"jobs":[{"id":...}...]}). */
  je_status (*enqueue)(void* self, je_txn* txn, const char* tenant, const char* request_json,
                       uint64_t len, je_str_sink out, void* user, char* err, uint32_t err_cap);
  /* Creates a run with jobs and dependencies (a DAG), same conventions as enqueue. */
  je_status (*create_run)(void* self, je_txn* txn, const char* tenant, const char* request_json,
                          uint64_t len, je_str_sink out, void* user, char* err, uint32_t err_cap);
  /* Added in 1.2 (check struct_size). Registers a job type for the plugin whose je_host
   * handle is `caller` (the provider asks the host who that is); only inside the caller's
   * start(). def->struct_size is honoured. The host records the type under its owner (GET
   * /plugins). Duplicates are refused naming both owners. */
  je_status (*register_type_for)(void* self, je_host* caller, const je_job_type_def* def, char* err,
                                 uint32_t err_cap);
  /* Added in 1.4 (check struct_size). Counts a tenant's jobs in txn (NULL: a transaction of
   * its own bound to tenant): what is JE_JOBS_COUNT_*, job_type NULL counts every type. Counts
   * at most cap (> 0) jobs: *out = min(count, cap). For the ratelimit plugin's limits and
   * summaries; any thread. */
  je_status (*count_jobs)(void* self, je_txn* txn, const char* tenant, int32_t what,
                          const char* job_type, int64_t cap, int64_t* out, char* err,
                          uint32_t err_cap);
} je_jobs_v1;

/* ---------------------------------------------------------------------------------------- */
/* je.ratelimit v1 (added in 1.4): provided by the ratelimit plugin. Admission for the job    */
/* provider's claims, load shedding at enqueue, outcomes for the circuit breakers, and the     */
/* upstream request budget of source adapters. Optional: look it up with optional(); when no  */
/* plugin provides it, everything is admitted. JSON in and out; times are RFC 3339 UTC. What   */
/* it must know about jobs it asks je.jobs (count_jobs), never the scheduler's tables.         */
/* ---------------------------------------------------------------------------------------- */
#define JE_SERVICE_RATELIMIT "je.ratelimit"

typedef struct je_ratelimit_v1 {
  uint32_t struct_size;
  uint32_t reserved0;
  void* self; /* the provider's state; pass back on every call */
  /* Admission for a claim, in the claim's txn, after the candidates are locked and before any
   * is leased. request_json:
   *   {"groups": [{"tenant": "...", "jobType": "...", "sourceId": "..." | null,
   *                "requested": n}]}
   * (one group's candidates in the order they would be leased). out receives, in request
   * order, {"groups": [{"admitted": k, "reason": null | "quota_paused" | "source_paused" |
   * "throttled" | "circuit_open" | "quota_exhausted" | "rate_limited", "nextEligibleAt":
   * ["...Z", ...]}]}: the first k candidates may be leased now; each of the rest is to be
   * throttled with reason and its own nextEligibleAt (one per refused candidate, in order).
   * Tokens and breaker probes are taken in txn for the admitted ones only, so they count only
   * if txn commits. Where a concurrency limit applies, the provider locks the limit first and
   * then counts the active jobs in txn (je_jobs_v1.count_jobs), so the count is exact across
   * replicas. "sourcePaused": true in a group (the job provider owns sources) refuses it
   * with source_paused. */
  je_status (*admit)(void* self, je_txn* txn, const char* request_json, uint64_t len,
                     je_str_sink out, void* user, char* err, uint32_t err_cap);
  /* Load shedding, in the enqueue's txn before it writes anything. request_json:
   *   {"tenant": "...", "jobTypes": {"<type>": <jobs added>, ...}}
   * out: {"allowed": true}, or {"allowed": false, "retryAfterSeconds": s, "limit": n,
   * "backlog": n, "jobType": "..." | null (null: the tenant-wide limit)}. The caller then
   * answers 429 BACKLOG_LIMIT with Retry-After and writes nothing. */
  je_status (*check_backlog)(void* self, je_txn* txn, const char* request_json, uint64_t len,
                             je_str_sink out, void* user, char* err, uint32_t err_cap);
  /* Outcomes of committed completions, for the circuit breakers. Call after the commit, from
   * any thread: {"outcomes": [{"tenant": "...", "jobType": "...", "succeeded": n,
   * "failed": n}]} (failed counts failed and timed_out; canceled counts neither). */
  je_status (*record_outcomes)(void* self, const char* outcomes_json, uint64_t len, char* err,
                               uint32_t err_cap);
  /* One upstream request of a source adapter, in a transaction of its own. request_json:
   * {"tenant": "...", "host": "...", "policy": {"rpm": n, "burst": n, "cooldownSeconds": n} |
   * null}; the policy is the source's (its owner passes it every time; no policy: egress is
   * denied). out: {"granted": bool, "reason": null | "no_policy" | "cooldown" |
   * "rate_limited", "retryAt": "...Z" | null}. */
  je_status (*acquire)(void* self, const char* request_json, uint64_t len, je_str_sink out,
                       void* user, char* err, uint32_t err_cap);
  /* What the upstream answered a granted request: {"tenant": "...", "host": "...",
   * "status": 200, "retryAfterSeconds": n | null}. 429 and 503 empty the bucket until the
   * retry time (or the policy's cool-down) and halve its rate; other answers below 500 raise
   * the rate additively back toward the configured one. */
  je_status (*report)(void* self, const char* request_json, uint64_t len, char* err,
                      uint32_t err_cap);
  /* Which of a claim's job types admission must see, in the claim's txn, before it locks
   * anything: request_json {"jobTypes": ["...", ...]}; out {"limited": ["...", ...]}: the
   * types with a quota, an active throttle or a breaker that is not closed, in any tenant (all
   * of them while a throttle on a source is active). The others may be leased without admit:
   * a claim that saw no limit is ordered before the limit's creation, as if it had committed
   * first. Read-only and cheap; the claim's first statement. */
  je_status (*limited_types)(void* self, je_txn* txn, const char* request_json, uint64_t len,
                             je_str_sink out, void* user, char* err, uint32_t err_cap);
  /* Added in 1.6 (check struct_size): local reservations. limited_types may take "maxCount"
   * (the most jobs the claim leases) and answer, besides "limited", "covered": the limited
   * types the provider's reservations admit maxCount jobs of in every tenant, and "claim": n
   * when any is covered. The caller may lease covered types without admit (as if unlimited)
   * and then, in the same transaction, reports what it leased of them here:
   *   {"claim": n, "leased": [{"tenant": "...", "jobType": "...", "count": k}, ...]}
   * What was not leased goes back to the reservations. A claim never settled keeps its whole
   * maxCount spent (fewer jobs admitted, never more). */
  je_status (*settle_claim)(void* self, const char* request_json, uint64_t len, char* err,
                            uint32_t err_cap);
} je_ratelimit_v1;

/* ---------------------------------------------------------------------------------------- */
/* je.sources v1 (added in 1.7): provided by the scheduler. What a source adapter plugin     */
/* needs of the scheduler, so that it never touches the scheduler's tables: its sources and   */
/* their schedules, the sync DAG of its source kinds, watermarks, and dead letters for single */
/* documents. JSON in and out, camelCase, times RFC 3339 UTC.                                 */
/* ---------------------------------------------------------------------------------------- */
#define JE_SERVICE_SOURCES "je.sources"

typedef struct je_sources_v1 {
  uint32_t struct_size;
  uint32_t reserved0;
  void* self; /* the provider's state; pass back on every call */
  /* Declares the sync DAG of a source kind; only inside the caller's start(), after its job
   * types are registered. json:
   *   {"kind": "concelier.osv", "steps": [{"key": "fetch", "jobType": "concelier.fetch"},
   *     {"key": "parse", "jobType": "concelier.parse", "dependsOn": ["fetch"]}, ...]}
   * Every job type must be registered (by anyone); keys are unique, dependencies name earlier
   * steps. From then on a manual sync (POST /sources/{id}/sync), a schedule's fire and every
   * window of a backfill of a source of that kind create a run of these jobs, each with the
   * payload {sourceId, sourceName, trigger, window {scope, from, to}, ...}. A kind declared
   * twice is refused naming its owner (JE_ERR_CONFLICT). */
  je_status (*declare_sync)(void* self, je_host* caller, const char* json, uint64_t len, char* err,
                            uint32_t err_cap);
  /* Creates or updates, in txn (bound to the source's tenant), the source named json.name:
   *   {"name", "kind", "upstreamHost", "ratePolicy", "schedule", "config", "enabled",
   *    "lockKey"}
   * with the fields and rules of POST /sources (plus lockKey: syncs of every source sharing
   * it never overlap; default "<tenant>:<name>"). On update the fields given replace the
   * stored ones (null clears upstreamHost, ratePolicy, schedule), an unchanged body writes
   * nothing. out: {"created": bool, "changed": bool, "source": <as GET /sources/{id}>}.
   * source.created / source.updated events are appended in txn. A body the route would refuse
   * is JE_ERR_INVALID with the route's message. */
  je_status (*upsert_source)(void* self, je_txn* txn, const char* json, uint64_t len,
                             je_str_sink out, void* user, char* err, uint32_t err_cap);
  /* A watermark in txn: {"sourceId", "scope" (default "default")} ->
   * {"watermark": "...Z" | null, "version": n}. */
  je_status (*read_watermark)(void* self, je_txn* txn, const char* json, uint64_t len,
                              je_str_sink out, void* user, char* err, uint32_t err_cap);
  /* Moves a watermark forward in txn: {"sourceId", "scope", "watermark": "...Z", "runId"?}.
   * Never backwards: an earlier time is JE_ERR_CONFLICT (the admin route is the one way
   * back). A sync run's windows already advance "default" when the run succeeds; this is for
   * adapters that keep further scopes. out: the watermark as GET /sources/{id}/watermarks
   * lists it; a watermark.advanced event is appended. */
  je_status (*advance_watermark)(void* self, je_txn* txn, const char* json, uint64_t len,
                                 je_str_sink out, void* user, char* err, uint32_t err_cap);
  /* Dead-letters one document a job could not process, without failing the job, in txn:
   *   {"jobId", "digest": "sha256:...", "errorClass": "permanent" | "transient" | "unknown",
   *    "errorCode", "message", "uri"?}
   * The entry carries the job's run, source and type, the document's digest (as its
   * payloadDigest) and a fingerprint of (jobType, errorCode); GET /deadletter lists it. The
   * same (job, digest) twice is one entry. out: {"id": "...", "created": bool}. */
  je_status (*dead_letter_document)(void* self, je_txn* txn, const char* json, uint64_t len,
                                    je_str_sink out, void* user, char* err, uint32_t err_cap);
} je_sources_v1;

/* ---------------------------------------------------------------------------------------- */
/* je.retention v1 (added in 1.8): provided by the host. Retention of terminal jobs, their    */
/* history and events (SPEC §9, docs/operations.md "Retention"). Each owner prunes only its   */
/* own tables (the host the outbox, the scheduler its jobs); a plugin whose data must outlive */
/* the retention period (the audit plugin: nothing before a succeeded export covers it)      */
/* registers a guard, and every pruner asks the host for a tenant's effective cutoff.         */
/* Instants are microseconds since the Unix epoch (UTC).                                      */
/* ---------------------------------------------------------------------------------------- */
#define JE_SERVICE_RETENTION "je.retention"

/* A guard's answer meaning "no limit": the guard holds nothing back for this tenant. */
#define JE_RETENTION_NO_LIMIT INT64_MAX
/* A guard's answer meaning "nothing may be pruned" for this tenant (yet). */
#define JE_RETENTION_KEEP_ALL INT64_MIN

/* A retention guard: for tenant, *until_us receives the instant before which (strictly) that
 * tenant's data may be pruned as far as the guard is concerned, or JE_RETENTION_NO_LIMIT /
 * JE_RETENTION_KEEP_ALL. Called on a pruner's thread (host or plugin), outside any of the
 * caller's transactions; it may open its own (je.store) and must not take long. Return JE_OK;
 * any other status (err filled) makes the pruner skip the tenant this round: a guard that
 * cannot answer holds everything back. */
typedef je_status (*je_retention_guard)(void* user, const char* tenant, uint64_t tenant_len,
                                        int64_t* until_us, char* err, uint32_t err_cap);

typedef struct je_retention_v1 {
  uint32_t struct_size;
  uint32_t reserved0;
  je_host* host;
  /* Registers a guard for the caller's plugin; only inside create(). user is passed back on
   * every call and must stay valid until the plugin is destroyed. The guard is consulted until
   * the plugin stops; from then on its plugin's data holds nothing back. */
  je_status (*register_guard)(je_host* host, je_retention_guard guard, void* user, char* err,
                              uint32_t err_cap);
  /* A tenant's effective cutoff: *cutoff_us = min(now - retention_seconds, every guard's
   * answer). Data of the tenant strictly older than *cutoff_us may be pruned. retention_seconds
   * <= 0 means "keep forever": *cutoff_us = JE_RETENTION_KEEP_ALL without asking the guards.
   * A guard's error is returned (JE_ERR_RETRY with the guard's message): prune nothing of that
   * tenant this round. Any thread; not inside a transaction of the caller that holds locks the
   * guard's own transaction could wait for. */
  je_status (*cutoff)(je_host* host, const char* tenant, uint64_t tenant_len,
                      int64_t retention_seconds, int64_t* cutoff_us, char* err, uint32_t err_cap);
  /* Records, for metrics, that the caller pruned rows of one of its tables: counts into
   * jobengine_retention_pruned_rows_total{owner, table}. Any thread. */
  void (*count_pruned)(je_host* host, const char* table, uint64_t table_len, int64_t rows);
} je_retention_v1;

/* The one exported symbol. */
JE_EXPORT const je_plugin_descriptor* je_plugin_entry_v1(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* JOBENGINE_ABI_H */
