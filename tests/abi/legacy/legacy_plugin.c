/* legacy_plugin.c — a plugin written in plain C against an older abi.h (tests/abi/legacy/1.0
 * or 1.1, checked in as they were released), built twice by tests/abi/CMakeLists.txt. It
 * proves what ABI 1.2 promises: a plugin built for 1.0 or 1.1 loads and runs in the current
 * host unchanged, with the struct sizes and fields of its own headers. It looks up je.log and
 * je.http, registers GET /api/v1/jobengine/<id>/ping, and (1.1) uses je.events' signal only
 * after checking struct_size, the way a 1.1 plugin must on a host that might be 1.0. */
#include <jobengine/abi.h>

#include <stdio.h>
#include <string.h>

#ifndef JE_LEGACY_ID
#error "JE_LEGACY_ID must name the fixture"
#endif

typedef struct legacy_state {
  const je_log_v1* log;
  const je_http_v1* http;
  const je_events_v1* events;
  int started;
  int signals_sent;
} legacy_state;

static legacy_state g_state;

static void copy_error(char* err, uint32_t cap, const char* msg) {
  if (err != NULL && cap > 0) {
    snprintf(err, cap, "%s", msg);
  }
}

static je_status ping(void* user, const je_request* req, je_response* resp) {
  const legacy_state* st = (const legacy_state*)user;
  char body[192];
  (void)req;
  snprintf(body, sizeof(body),
           "{\"id\":\"%s\",\"builtFor\":\"%u.%u\",\"started\":%d,\"signalsSent\":%d}", JE_LEGACY_ID,
           (unsigned)JE_ABI_MAJOR, (unsigned)JE_ABI_MINOR, st->started, st->signals_sent);
  resp->set_status(resp, 200);
  resp->write(resp, body, strlen(body));
  return JE_OK;
}

static je_status legacy_create(const je_host_api* api, const char* config_json, uint64_t config_len,
                               void** instance, char* err, uint32_t err_cap) {
  const void* vt = NULL;
  je_route_def def;
  (void)config_json;
  (void)config_len;
  memset(&g_state, 0, sizeof(g_state));
  if (api->get_service(api->host, JE_SERVICE_LOG, 1, &vt, err, err_cap) != JE_OK) {
    return JE_ERR_STATE;
  }
  g_state.log = (const je_log_v1*)vt;
  if (api->get_service(api->host, JE_SERVICE_HTTP, 1, &vt, err, err_cap) != JE_OK) {
    return JE_ERR_STATE;
  }
  g_state.http = (const je_http_v1*)vt;
#if JE_ABI_MINOR >= 1
  if (api->get_service(api->host, JE_SERVICE_EVENTS, 1, &vt, NULL, 0) == JE_OK) {
    g_state.events = (const je_events_v1*)vt;
  }
#endif
  memset(&def, 0, sizeof(def));
  def.struct_size = (uint32_t)sizeof(def);
  def.method = "GET";
  def.path = "/api/v1/jobengine/" JE_LEGACY_ID "/ping";
  def.scope = "orch:read";
  def.handler = &ping;
  def.user = &g_state;
  if (g_state.http->register_route(g_state.http->host, &def, err, err_cap) != JE_OK) {
    return JE_ERR_STATE;
  }
  *instance = &g_state;
  return JE_OK;
}

static je_status legacy_start(void* instance, char* err, uint32_t err_cap) {
  legacy_state* st = (legacy_state*)instance;
  static const char kMsg[] = JE_LEGACY_ID " started";
  if (st != &g_state) {
    copy_error(err, err_cap, "unexpected instance");
    return JE_ERR_INTERNAL;
  }
  st->log->log(st->log->host, JE_LOG_INFO, kMsg, sizeof(kMsg) - 1);
#if JE_ABI_MINOR >= 1
  if (st->events != NULL &&
      st->events->struct_size >= offsetof(je_events_v1, signal) + sizeof(st->events->signal)) {
    if (st->events->signal(st->events->host, "legacy.started", 14, NULL, 0) == JE_OK) {
      st->signals_sent++;
    }
  }
#endif
  st->started = 1;
  return JE_OK;
}

static void legacy_stop(void* instance) { ((legacy_state*)instance)->started = 0; }

static void legacy_destroy(void* instance) { (void)instance; }

JE_EXPORT const je_plugin_descriptor* je_plugin_entry_v1(void) {
  static const je_plugin_descriptor kDescriptor = {sizeof(je_plugin_descriptor),
                                                   JE_ABI_MAJOR,
                                                   JE_ABI_MINOR,
                                                   0,
                                                   JE_LEGACY_ID,
                                                   "0.0.1",
                                                   "a C plugin built against an older abi.h",
                                                   NULL,
                                                   &legacy_create,
                                                   &legacy_start,
                                                   &legacy_stop,
                                                   &legacy_destroy};
  return &kDescriptor;
}
