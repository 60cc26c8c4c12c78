/* motcua-csv.c — splitting one line of a CSV code list (RFC 4180) */
#define G_LOG_DOMAIN "motcua-csv"

#include <glib/gi18n-lib.h>

#include "motcua-csv.h"

const char *
motcua_csv_split (const char *p, GPtrArray *fields)
{
  for (;;)
    {
      g_autoptr (GString) f = g_string_new (NULL);
      if (*p == '"')
        {
          for (p++; *p != '"' || p[1] == '"'; p++)
            {
              if (*p == '\0')
                return N_("dấu ngoặc kép không được đóng");
              if (*p == '"')
                p++; /* "" → " */
              g_string_append_c (f, *p);
            }
          if (*++p != ',' && *p != '\0')
            return N_("ký tự thừa sau dấu ngoặc kép đóng");
        }
      else
        for (; *p != ',' && *p != '\0'; p++)
          {
            if (*p == '"')
              return N_("dấu ngoặc kép giữa trường không được bọc ngoặc");
            g_string_append_c (f, *p);
          }
      g_ptr_array_add (fields, g_string_free (g_steal_pointer (&f), FALSE));
      if (*p++ == '\0')
        return NULL;
    }
}
