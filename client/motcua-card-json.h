/* motcua-card-json.h — a card read as JSON */
#pragma once

#include <json-glib/json-glib.h>

#include "motcua-card.h"

G_BEGIN_DECLS

/* face may be NULL (not read).  Returns a new object node. */
JsonNode *motcua_card_json_build (const mc_identity *id, const mc_face *face,
                                  mc_access_method access, const mc_verdict *verdict,
                                  const mc_stats *stats);

G_END_DECLS
