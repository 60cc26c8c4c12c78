/* motcua-cli-dossier.c — `motcua-cli dossier new|fill|set|show|validate`
 *
 * A dossier file (motcua-dossier.h) is prepared step by step, as at the
 * counter: each person's card is tapped (`fill --role`), the hospital's
 * document is fetched by its code and verified (`fill --birth-cert`), and
 * the clerk types only what no document carries (`set`).  The file holds
 * personal data: it is written 0600 and belongs on encrypted storage;
 * `submit` moves it into the encrypted queue. */
#define G_LOG_DOMAIN "motcua-cli"

#include "motcua-config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "motcua-cli-private.h"
#include "motcua-conf.h"
#include "motcua-error.h"
#include "motcua-prefill.h"
#include "motcua-sync.h"
#include "motcua-validate.h"

/* ------------------------------------------------------------ helpers */

static MotcuaUnits *
dossier_units (const MotcuaConf *conf, GError **error)
{
  g_autoptr(GError) local = NULL;
  MotcuaUnits *units = motcua_units_load (conf->codes_dir, &local);
  if (units == NULL || !motcua_fields_load (conf->codes_dir, &local))
    {
      motcua_units_free (units);
      motcua_error_set (error, MOTCUA_ERROR_CODE_LISTS, "%s", local->message);
      return NULL;
    }
  return units;
}

static void
print_problems (GPtrArray *problems)
{
  for (guint i = 0; problems && i < problems->len; i++)
    {
      const MotcuaProblem *p = problems->pdata[i];
      g_print ("%-9s %-40s %-22s %s\n",
               p->severity == MOTCUA_SEVERITY_ERROR ? _("LỖI") : _("cảnh báo"),
               p->path, p->code, p->message);
    }
}

/* Prints the outcome of a command that changed or checked a dossier. */
static int
dossier_finish (MotcuaDossier *d, GPtrArray *problems, gboolean json, int rc)
{
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "procedure");
      json_builder_add_string_value (b, motcua_procedure_name (motcua_dossier_get_procedure (d)));
      json_builder_set_member_name (b, "problems");
      json_builder_add_value (b, motcua_cli_problems_json (problems));
      json_builder_set_member_name (b, "conflicts");
      json_builder_add_int_value (b, motcua_dossier_get_conflicts (d)->len);
      json_builder_end_object (b);
      motcua_cli_print_json (json_builder_get_root (b));
    }
  else
    print_problems (problems);
  return rc;
}

static int
dossier_fail (GError *error, gboolean json)
{
  motcua_cli_print_error (error, json);
  return motcua_cli_exit_for_error (error);
}

/* ------------------------------------------------------------ new */

static int
cmd_new (int argc, char **argv)
{
  g_autofree char *unit = NULL, *out = NULL;
  const GOptionEntry entries[] = {
    { "unit", 0, 0, G_OPTION_ARG_STRING, &unit, N_("mã xã/phường tiếp nhận (receiving unit)"), "CODE" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("tệp hồ sơ (dossier file)"), "FILE" },
    { NULL }
  };
  int rc;
  if (!motcua_cli_parse_args (&argc, &argv, "motcua-cli dossier new",
                              _("tạo hồ sơ liên thông mới (a new linked dossier)"),
                              "birth|death", entries, 1, &rc))
    return rc;
  g_autoptr(GError) error = NULL;
  MotcuaProcedure p = motcua_procedure_from_name (argv[1]);
  if (p == 0 || out == NULL)
    {
      g_printerr ("%s\n", _("Cần birth hoặc death và -o FILE (birth or death, and -o FILE)"));
      return MOTCUA_EXIT_USAGE;
    }
  g_autoptr(MotcuaConf) conf = motcua_conf_load (&error);
  if (conf == NULL)
    return dossier_fail (error, FALSE);
  const char *u = unit ? unit : conf->unit;
  if (u == NULL)
    {
      motcua_error_set (&error, MOTCUA_ERROR_CONFIG, "unit");
      return dossier_fail (error, FALSE);
    }
  g_autoptr(MotcuaDossier) d = motcua_dossier_new (p, u);
  if (!motcua_dossier_save (d, out, &error))
    return dossier_fail (error, FALSE);
  return MOTCUA_EXIT_OK;
}

/* ------------------------------------------------------------ fill */

typedef struct {
  char *role, *can, *reader, *birth_cert, *death_notice, *birth_cert_file, *death_notice_file;
  char **trust, **doc_trust;
  gboolean json;
} FillOptions;

static void
fill_options_clear (FillOptions *o)
{
  if (o->can)
    explicit_bzero (o->can, strlen (o->can));
  g_free (o->role); g_free (o->can); g_free (o->reader);
  g_free (o->birth_cert); g_free (o->death_notice);
  g_free (o->birth_cert_file); g_free (o->death_notice_file);
  g_strfreev (o->trust); g_strfreev (o->doc_trust);
}

/* The hospital document: from a file, or fetched from the service by code. */
static GBytes *
fill_fetch_document (const MotcuaConf *conf, const FillOptions *o, MotcuaProcedure *kind,
                     GError **error)
{
  const char *file = o->birth_cert_file ? o->birth_cert_file : o->death_notice_file;
  *kind = (o->birth_cert || o->birth_cert_file) ? MOTCUA_PROCEDURE_BIRTH : MOTCUA_PROCEDURE_DEATH;
  if (file)
    {
      char *data = NULL;
      gsize len = 0;
      g_autoptr(GError) local = NULL;
      if (!g_file_get_contents (file, &data, &len, &local))
        {
          motcua_error_set (error, MOTCUA_ERROR_IO, "%s", local->message);
          return NULL;
        }
      return g_bytes_new_take (data, len);
    }
  MotcuaSyncConfig sc = { 0 };
  if (!motcua_conf_sync_config (conf, &sc, error))
    return NULL;
  g_autoptr(MotcuaSync) sync = motcua_sync_new (&sc, NULL, NULL, error);
  motcua_sync_config_clear (&sc);
  if (sync == NULL)
    return NULL;
  return motcua_sync_fetch_document (sync, *kind, o->birth_cert ? o->birth_cert : o->death_notice,
                                     error);
}

static gboolean
fill_from_document (MotcuaDossier *d, const MotcuaConf *conf, const MotcuaUnits *units,
                    const FillOptions *o, GPtrArray *problems, GError **error)
{
  MotcuaProcedure kind;
  g_autoptr(GBytes) xml = fill_fetch_document (conf, o, &kind, error);
  if (xml == NULL)
    return FALSE;
  g_auto(GStrv) conf_trust = conf->doc_trust ? g_strsplit (conf->doc_trust, ":", -1) : NULL;
  char **paths = o->doc_trust ? o->doc_trust : conf_trust;
  if (paths == NULL || paths[0] == NULL)
    {
      motcua_error_set (error, MOTCUA_ERROR_CONFIG, "doc-trust");
      return FALSE;
    }
  g_autoptr(MotcuaDocTrust) trust = motcua_doc_trust_new ((const char * const *) paths, error);
  if (trust == NULL)
    return FALSE;
  gsize len;
  const char *data = g_bytes_get_data (xml, &len);
  return kind == MOTCUA_PROCEDURE_BIRTH
         ? motcua_prefill_from_birth_cert (d, data, len, trust, units, problems, error)
         : motcua_prefill_from_death_notice (d, data, len, trust, units, problems, error);
}

/* *card_rc: the card's exit code when the card could not be read. */
static gboolean
fill_from_card (MotcuaDossier *d, const MotcuaConf *conf, const MotcuaUnits *units,
                const FillOptions *o, GPtrArray *problems, int *card_rc, GError **error)
{
  MotcuaRole role = motcua_role_from_name (o->role);
  if (role == 0)
    {
      motcua_error_set (error, MOTCUA_ERROR_DOSSIER_INVALID, "--role %s", o->role);
      return FALSE;
    }
  g_auto(GStrv) conf_trust = conf->csca ? g_strsplit (conf->csca, ":", -1) : NULL;
  MotcuaCliCardSession *s = NULL;
  mc_status st = motcua_cli_card_read_session (o->reader, o->can, o->trust ? o->trust : conf_trust,
                                               &s);
  if (st != MC_OK)
    {
      *card_rc = motcua_cli_card_error (st, _("Không đọc được thẻ"));
      return FALSE;
    }
  gboolean ok = motcua_prefill_from_card (d, role, s->identity, &s->verdict, units, problems, error);
  motcua_cli_card_session_free (s);
  return ok;
}

static int
cmd_fill (int argc, char **argv)
{
  FillOptions o = { 0 };
  const GOptionEntry entries[] = {
    { "role", 0, 0, G_OPTION_ARG_STRING, &o.role,
      N_("người trên thẻ: mother, father, requester, deceased, new-head, claimant (whose card)"), "ROLE" },
    { "can", 0, 0, G_OPTION_ARG_STRING, &o.can, N_("CAN của thẻ (the card's CAN)"), "CAN" },
    { "reader", 0, 0, G_OPTION_ARG_STRING, &o.reader, N_("đầu đọc (reader name)"), "NAME" },
    { "trust", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.trust, N_("kho CSCA (CSCA trust store)"), "PATH" },
    { "birth-cert", 0, 0, G_OPTION_ARG_STRING, &o.birth_cert, N_("mã giấy chứng sinh (birth certificate code)"), "CODE" },
    { "death-notice", 0, 0, G_OPTION_ARG_STRING, &o.death_notice, N_("mã giấy báo tử (death notice code)"), "CODE" },
    { "birth-cert-file", 0, 0, G_OPTION_ARG_FILENAME, &o.birth_cert_file, N_("giấy chứng sinh điện tử (signed XML file)"), "FILE" },
    { "death-notice-file", 0, 0, G_OPTION_ARG_FILENAME, &o.death_notice_file, N_("giấy báo tử điện tử (signed XML file)"), "FILE" },
    { "doc-trust", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.doc_trust, N_("CA ký giấy tờ bệnh viện (document signing CAs)"), "PEM" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, N_("kết quả dạng JSON (JSON output)"), NULL },
    { NULL }
  };
  int rc;
  if (!motcua_cli_parse_args (&argc, &argv, "motcua-cli dossier fill",
                              _("điền hồ sơ từ thẻ căn cước hoặc giấy tờ của bệnh viện (prefill from a card or a hospital document)"),
                              "FILE", entries, 1, &rc))
    return rc;
  int sources = (o.role != NULL) + (o.birth_cert != NULL) + (o.death_notice != NULL)
                + (o.birth_cert_file != NULL) + (o.death_notice_file != NULL);
  if (sources != 1 || (o.role && !o.can))
    {
      g_printerr ("%s\n", _("Dùng --role ROLE --can CAN, hoặc một mã/tệp giấy tờ (one source: a card or a document)"));
      fill_options_clear (&o);
      return MOTCUA_EXIT_USAGE;
    }

  g_autoptr(GError) error = NULL;
  g_autoptr(MotcuaConf) conf = motcua_conf_load (&error);
  g_autoptr(MotcuaUnits) units = conf ? dossier_units (conf, &error) : NULL;
  g_autoptr(MotcuaDossier) d = units ? motcua_dossier_load (argv[1], &error) : NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) motcua_problem_free);
  int card_rc = 0;
  gboolean ok = d != NULL
                && (o.role ? fill_from_card (d, conf, units, &o, problems, &card_rc, &error)
                           : fill_from_document (d, conf, units, &o, problems, &error));
  if (ok)
    {
      motcua_dossier_derive (d);
      ok = motcua_dossier_save (d, argv[1], &error);
    }
  if (ok)
    rc = dossier_finish (d, problems, o.json, MOTCUA_EXIT_OK);
  else
    rc = card_rc != 0 ? card_rc : dossier_fail (error, o.json);
  fill_options_clear (&o);
  return rc;
}

/* ------------------------------------------------------------ set */

static int
cmd_set (int argc, char **argv)
{
  gboolean raw = FALSE, remove = FALSE;
  const GOptionEntry entries[] = {
    { "raw", 0, 0, G_OPTION_ARG_NONE, &raw, N_("VALUE là JSON: số, true/false, đối tượng, mảng (VALUE is JSON)"), NULL },
    { "remove", 0, 0, G_OPTION_ARG_NONE, &remove, N_("xoá trường (remove the field; no VALUE)"), NULL },
    { NULL }
  };
  int rc;
  /* VALUE is optional with --remove: count the positional arguments first. */
  gboolean wants_remove = FALSE;
  for (int i = 1; i < argc; i++)
    wants_remove |= g_str_equal (argv[i], "--remove");
  if (!motcua_cli_parse_args (&argc, &argv, "motcua-cli dossier set",
                              _("nhập một trường của hồ sơ (the clerk types a field)"),
                              wants_remove ? "FILE POINTER" : "FILE POINTER VALUE", entries,
                              wants_remove ? 2 : 3, &rc))
    return rc;
  g_autoptr(GError) error = NULL;
  g_autoptr(MotcuaDossier) d = motcua_dossier_load (argv[1], &error);
  if (d == NULL)
    return dossier_fail (error, FALSE);
  const char *pointer = argv[2];
  if (pointer[0] != '/')
    {
      g_printerr ("%s\n", _("POINTER là JSON Pointer, ví dụ /khaiSinh/nycQuanHe (a JSON Pointer)"));
      return MOTCUA_EXIT_USAGE;
    }
  if (remove)
    motcua_dossier_remove (d, pointer);
  else if (raw)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      if (!json_parser_load_from_data (parser, argv[3], -1, NULL))
        {
          g_printerr ("%s\n", _("VALUE không phải JSON (VALUE is not JSON)"));
          return MOTCUA_EXIT_USAGE;
        }
      motcua_dossier_set (d, pointer, json_parser_get_root (parser), MOTCUA_SOURCE_CLERK, NULL);
    }
  else
    motcua_dossier_set_string (d, pointer, argv[3], MOTCUA_SOURCE_CLERK, NULL);
  motcua_dossier_derive (d);
  if (!motcua_dossier_save (d, argv[1], &error))
    return dossier_fail (error, FALSE);
  return MOTCUA_EXIT_OK;
}

/* ------------------------------------------------------------ show */

static void
show_walk (MotcuaDossier *d, JsonNode *node, GString *pointer)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter it;
      const char *name;
      JsonNode *child;
      json_object_iter_init (&it, json_node_get_object (node));
      while (json_object_iter_next (&it, &name, &child))
        {
          gsize keep = pointer->len;
          g_string_append_c (pointer, '/');
          for (const char *c = name; *c; c++)   /* RFC 6901 escaping */
            g_string_append (pointer, *c == '~' ? "~0" : *c == '/' ? "~1" : (char[]) { *c, 0 });
          show_walk (d, child, pointer);
          g_string_truncate (pointer, keep);
        }
      return;
    }
  const char *ref = NULL;
  MotcuaSourceKind kind = motcua_dossier_get_source (d, pointer->str, &ref);
  g_autofree char *value = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
                           ? g_strdup (json_node_get_string (node)) : json_to_string (node, FALSE);
  g_print ("%-45s %-30s [%s%s%s]\n", pointer->str, value, motcua_source_kind_name (kind),
           ref ? " " : "", ref ? ref : "");
}

static int
cmd_show (int argc, char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("tệp hồ sơ dạng JSON (the dossier file as JSON)"), NULL },
    { NULL }
  };
  int rc;
  if (!motcua_cli_parse_args (&argc, &argv, "motcua-cli dossier show",
                              _("xem hồ sơ, nguồn của từng trường và các điểm không khớp (fields, sources, conflicts)"),
                              "FILE", entries, 1, &rc))
    return rc;
  g_autoptr(GError) error = NULL;
  g_autoptr(MotcuaDossier) d = motcua_dossier_load (argv[1], &error);
  if (d == NULL)
    return dossier_fail (error, json);
  if (json)
    {
      gsize len = 0;
      char *text = motcua_dossier_to_data (d, &len);
      g_print ("%s\n", text);
      explicit_bzero (text, len);
      g_free (text);
      return MOTCUA_EXIT_OK;
    }
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (root, motcua_dossier_get_payload (d));
  g_autoptr(GString) pointer = g_string_new (NULL);
  show_walk (d, root, pointer);
  GPtrArray *conflicts = motcua_dossier_get_conflicts (d);
  for (guint i = 0; i < conflicts->len; i++)
    {
      const MotcuaConflict *c = conflicts->pdata[i];
      g_autofree char *have = json_to_string (c->value, FALSE);
      g_autofree char *offered = json_to_string (c->offered, FALSE);
      g_print (_("KHÔNG KHỚP %s: %s (%s) ≠ %s (%s)\n"), c->path, have,
               motcua_source_kind_name (c->source), offered, motcua_source_kind_name (c->offered_source));
    }
  return MOTCUA_EXIT_OK;
}

/* ------------------------------------------------------------ validate */

static int
cmd_validate (int argc, char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("kết quả dạng JSON (JSON output)"), NULL },
    { NULL }
  };
  int rc;
  if (!motcua_cli_parse_args (&argc, &argv, "motcua-cli dossier validate",
                              _("kiểm tra hồ sơ theo định dạng quốc gia (validate against the national formats)"),
                              "FILE", entries, 1, &rc))
    return rc;
  g_autoptr(GError) error = NULL;
  g_autoptr(MotcuaConf) conf = motcua_conf_load (&error);
  g_autoptr(MotcuaUnits) units = conf ? dossier_units (conf, &error) : NULL;
  g_autoptr(MotcuaDossier) d = units ? motcua_dossier_load (argv[1], &error) : NULL;
  if (d == NULL)
    return dossier_fail (error, json);
  motcua_dossier_derive (d);
  g_autoptr(GPtrArray) problems = motcua_validate_dossier (d, units);
  return dossier_finish (d, problems, json, motcua_validate_has_errors (problems)
                                            ? MOTCUA_EXIT_INVALID : MOTCUA_EXIT_OK);
}

int
motcua_cli_dossier (int argc, char **argv)
{
  static const struct { const char *name; int (*run) (int, char **); } cmds[] = {
    { "new", cmd_new }, { "fill", cmd_fill }, { "set", cmd_set },
    { "show", cmd_show }, { "validate", cmd_validate },
  };
  for (gsize i = 0; argc >= 2 && i < G_N_ELEMENTS (cmds); i++)
    if (g_str_equal (argv[1], cmds[i].name))
      return cmds[i].run (argc - 1, argv + 1);
  g_printerr ("%s\n", _("Cách dùng: motcua-cli dossier new|fill|set|show|validate ... (see docs/cli.md)"));
  return MOTCUA_EXIT_USAGE;
}
