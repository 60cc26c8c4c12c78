/* refsvc-faults.c — fault injection switches
 *
 * Each switch fires for the next `count` matching requests, then for a
 * random `ratio` of them (a seeded GRand, so a soak run is repeatable).
 * Latency is added to every matching request.  The switches apply to
 * requests whose path starts with one of the prefixes (default the API
 * and the gateway: "/v1/", "/api/"). */
#define G_LOG_DOMAIN "refsvc-faults"

#include <string.h>

#include "refsvc-server.h"

typedef struct {
  guint  count;
  double ratio;
} fault_switch;

struct refsvc_faults {
  GMutex       lock;
  GRand       *rand;
  guint        latency_ms;
  guint        retry_after;
  fault_switch sw[REFSVC_FAULT_N];
  char       **prefixes;
};

static const char *const fault_names[REFSVC_FAULT_N] = {
  [REFSVC_FAULT_NONE] = "none",
  [REFSVC_FAULT_DROP] = "drop",
  [REFSVC_FAULT_ERROR500] = "error500",
  [REFSVC_FAULT_TOO_MANY] = "tooManyRequests",
  [REFSVC_FAULT_UNAVAILABLE] = "unavailable",
  [REFSVC_FAULT_ACCEPT_THEN_DROP] = "acceptThenDrop",
};

static void
reset_locked (refsvc_faults *f)
{
  memset (f->sw, 0, sizeof f->sw);
  f->latency_ms = 0;
  f->retry_after = 2;
  g_strfreev (f->prefixes);
  f->prefixes = g_new0 (char *, 3);
  f->prefixes[0] = g_strdup ("/v1/");
  f->prefixes[1] = g_strdup ("/api/");
}

refsvc_faults *
refsvc_faults_new (guint64 seed)
{
  refsvc_faults *f = g_new0 (refsvc_faults, 1);

  g_mutex_init (&f->lock);
  f->rand = g_rand_new_with_seed ((guint32) (seed ^ (seed >> 32)));
  reset_locked (f);
  return f;
}

void
refsvc_faults_free (refsvc_faults *f)
{
  if (f == NULL)
    return;
  g_rand_free (f->rand);
  g_strfreev (f->prefixes);
  g_mutex_clear (&f->lock);
  g_free (f);
}

void
refsvc_faults_clear (refsvc_faults *f)
{
  g_mutex_lock (&f->lock);
  reset_locked (f);
  g_mutex_unlock (&f->lock);
}

/* Reads {"count": n, "ratio": r} into sw. */
static gboolean
parse_switch (JsonNode *n, fault_switch *sw, const char *name, char **message)
{
  JsonObject *o;

  if (!JSON_NODE_HOLDS_OBJECT (n))
    {
      *message = g_strdup_printf ("%s: expected {\"count\": n, \"ratio\": r}", name);
      return FALSE;
    }
  o = json_node_get_object (n);
  sw->count = 0;
  sw->ratio = 0;
  if (json_object_has_member (o, "count"))
    {
      JsonNode *c = json_object_get_member (o, "count");
      if (json_node_get_value_type (c) != G_TYPE_INT64 || json_node_get_int (c) < 0
          || json_node_get_int (c) > G_MAXUINT)
        {
          *message = g_strdup_printf ("%s.count: expected a non-negative integer", name);
          return FALSE;
        }
      sw->count = (guint) json_node_get_int (c);
    }
  if (json_object_has_member (o, "ratio"))
    {
      JsonNode *r = json_object_get_member (o, "ratio");
      GType t = json_node_get_value_type (r);
      double v = t == G_TYPE_DOUBLE ? json_node_get_double (r)
                 : t == G_TYPE_INT64 ? (double) json_node_get_int (r) : -1;
      if (!(v >= 0 && v <= 1))
        {
          *message = g_strdup_printf ("%s.ratio: expected a number in [0, 1]", name);
          return FALSE;
        }
      sw->ratio = v;
    }
  return TRUE;
}

static gboolean
parse_uint (JsonObject *o, const char *name, guint max, guint *out, char **message)
{
  JsonNode *n;

  if (!json_object_has_member (o, name))
    return TRUE;
  n = json_object_get_member (o, name);
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64
      || json_node_get_int (n) < 0 || json_node_get_int (n) > max)
    {
      *message = g_strdup_printf ("%s: expected an integer in [0, %u]", name, max);
      return FALSE;
    }
  *out = (guint) json_node_get_int (n);
  return TRUE;
}

gboolean
refsvc_faults_set (refsvc_faults *f, JsonObject *o, char **message)
{
  fault_switch sw[REFSVC_FAULT_N] = { { 0, 0 } };
  guint latency = 0, retry_after = 2;
  g_auto (GStrv) prefixes = NULL;

  g_return_val_if_fail (f != NULL && o != NULL, FALSE);
  if (!parse_uint (o, "latencyMs", 60000, &latency, message)
      || !parse_uint (o, "retryAfter", 3600, &retry_after, message))
    return FALSE;
  for (int i = REFSVC_FAULT_NONE + 1; i < REFSVC_FAULT_N; i++)
    if (json_object_has_member (o, fault_names[i])
        && !parse_switch (json_object_get_member (o, fault_names[i]), &sw[i],
                          fault_names[i], message))
      return FALSE;
  if (json_object_has_member (o, "pathPrefix"))
    {
      JsonNode *p = json_object_get_member (o, "pathPrefix");
      if (!JSON_NODE_HOLDS_VALUE (p) || json_node_get_value_type (p) != G_TYPE_STRING
          || json_node_get_string (p)[0] != '/')
        {
          *message = g_strdup ("pathPrefix: expected a path starting with /");
          return FALSE;
        }
      prefixes = g_new0 (char *, 2);
      prefixes[0] = g_strdup (json_node_get_string (p));
    }
  {
    g_autoptr (GList) members = json_object_get_members (o);

    for (GList *it = members; it != NULL; it = it->next)
      {
        const char *m = it->data;
        gboolean known = g_str_equal (m, "latencyMs") || g_str_equal (m, "retryAfter")
                         || g_str_equal (m, "pathPrefix");

        for (int i = 1; i < REFSVC_FAULT_N && !known; i++)
          known = g_str_equal (m, fault_names[i]);
        if (!known)
          {
            *message = g_strdup_printf ("unknown switch %s", m);
            return FALSE;
          }
      }
  }

  g_mutex_lock (&f->lock);
  reset_locked (f);
  memcpy (f->sw, sw, sizeof sw);
  f->latency_ms = latency;
  f->retry_after = retry_after;
  if (prefixes != NULL)
    {
      g_strfreev (f->prefixes);
      f->prefixes = g_steal_pointer (&prefixes);
    }
  g_mutex_unlock (&f->lock);
  return TRUE;
}

JsonNode *
refsvc_faults_to_json (refsvc_faults *f)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  g_mutex_lock (&f->lock);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "latencyMs");
  json_builder_add_int_value (b, f->latency_ms);
  json_builder_set_member_name (b, "retryAfter");
  json_builder_add_int_value (b, f->retry_after);
  json_builder_set_member_name (b, "pathPrefix");
  json_builder_begin_array (b);
  for (char **p = f->prefixes; *p != NULL; p++)
    json_builder_add_string_value (b, *p);
  json_builder_end_array (b);
  for (int i = 1; i < REFSVC_FAULT_N; i++)
    {
      json_builder_set_member_name (b, fault_names[i]);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "count");
      json_builder_add_int_value (b, f->sw[i].count);
      json_builder_set_member_name (b, "ratio");
      json_builder_add_double_value (b, f->sw[i].ratio);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  g_mutex_unlock (&f->lock);
  return json_builder_get_root (b);
}

static gboolean
matches_locked (refsvc_faults *f, const char *path)
{
  for (char **p = f->prefixes; *p != NULL; p++)
    if (g_str_has_prefix (path, *p))
      return TRUE;
  return FALSE;
}

/* Consumes one shot of switch i: a count first, then the ratio. */
static gboolean
fire_locked (refsvc_faults *f, refsvc_fault i)
{
  if (f->sw[i].count > 0)
    {
      f->sw[i].count--;
      return TRUE;
    }
  return f->sw[i].ratio > 0 && g_rand_double (f->rand) < f->sw[i].ratio;
}

refsvc_fault
refsvc_faults_decide (refsvc_faults *f, const char *path, guint *latency_ms,
                      guint *retry_after)
{
  static const refsvc_fault order[] = {
    REFSVC_FAULT_DROP, REFSVC_FAULT_ERROR500, REFSVC_FAULT_TOO_MANY, REFSVC_FAULT_UNAVAILABLE,
  };
  refsvc_fault out = REFSVC_FAULT_NONE;

  *latency_ms = 0;
  *retry_after = 0;
  g_mutex_lock (&f->lock);
  if (matches_locked (f, path))
    {
      *latency_ms = f->latency_ms;
      *retry_after = f->retry_after;
      for (gsize i = 0; i < G_N_ELEMENTS (order) && out == REFSVC_FAULT_NONE; i++)
        if (fire_locked (f, order[i]))
          out = order[i];
    }
  g_mutex_unlock (&f->lock);
  return out;
}

gboolean
refsvc_faults_take_accept_then_drop (refsvc_faults *f, const char *path)
{
  gboolean fire = FALSE;

  g_mutex_lock (&f->lock);
  if (matches_locked (f, path))
    fire = fire_locked (f, REFSVC_FAULT_ACCEPT_THEN_DROP);
  g_mutex_unlock (&f->lock);
  return fire;
}
