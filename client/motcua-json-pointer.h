/* motcua-json-pointer.h — JSON Pointers (RFC 6901) over json-glib trees
 *
 * "" is the whole document; "/a/b" the member b of member a; "~0" in a
 * token stands for "~" and "~1" for "/".  Array elements are addressed by
 * their index in decimal without leading zeros; "-" (set only) appends. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The unescaped reference tokens of @pointer, NULL when it is not a valid
 * pointer (not "" and not starting with "/", a "~" not followed by 0 or 1,
 * invalid UTF-8).  "" gives an empty vector. */
char **motcua_json_pointer_split (const char *pointer);
/* @base with @token appended, escaped. */
char  *motcua_json_pointer_append (const char *base, const char *token);
/* TRUE when @pointer is valid. */
gboolean motcua_json_pointer_valid (const char *pointer);

/* The node at @pointer below @root, NULL when absent.  Borrowed. */
JsonNode *motcua_json_pointer_get (JsonNode *root, const char *pointer);
/* Stores @value (transfer full) at @pointer, creating missing parent
 * objects.  FALSE (and @value freed) when the pointer is invalid, is "",
 * or a parent on the way is neither an object nor an array. */
gboolean  motcua_json_pointer_set (JsonNode *root, const char *pointer, JsonNode *value);
/* Removes the member or element at @pointer; FALSE when it was absent. */
gboolean  motcua_json_pointer_remove (JsonNode *root, const char *pointer);

G_END_DECLS
