// triage — the umbrella header: every public header of the library.
//
// Pipeline: source text → parse → syntax tree → check → model → decision tables →
// compiled policy → evaluate tickets into decisions. Most users need only `compile`,
// `ticket`, `ticket_decoder`, `decision` and `render_text`.
#ifndef TRIAGE_TRIAGE_HPP
#define TRIAGE_TRIAGE_HPP

#include "triage/ast.hpp"
#include "triage/check.hpp"
#include "triage/decision.hpp"
#include "triage/diagnostic.hpp"
#include "triage/limits.hpp"
#include "triage/live_policy.hpp"
#include "triage/parse.hpp"
#include "triage/policy.hpp"
#include "triage/render.hpp"
#include "triage/source.hpp"
#include "triage/table.hpp"
#include "triage/ticket.hpp"
#include "triage/version.hpp"

#endif  // TRIAGE_TRIAGE_HPP
