// Fuzz target: the input is one JSON Lines line, decoded against a fixed policy that uses
// every field type, required fields, tags, string tests, lets, output references and every
// hit policy. A decoded ticket is validated, evaluated with a trace and printed; a rejected
// one must say why. Besides crashes and sanitizer reports, it fails when:
// - a rejected ticket has an empty error, or an accepted one fails `validate`;
// - the decision, the ticket or the id is not valid JSON;
// - the ticket printed by `ticket::to_json` does not decode back to a ticket that prints
//   and decides the same (the decoder reads what the engine writes).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.hpp"
#include "triage/limits.hpp"
#include "triage/policy.hpp"

namespace {

using triage_fuzz::fail;

constexpr const char* policy_text = R"(# the ticket fuzzer's policy: every field type and hit policy
field issue:    string required
field urgency:  enum { low, medium, high, critical } required
field impact:   enum { low, medium, high }
field sla:      duration
field vip:      bool
field reopened: int
field score:    number
field tags:     tags
field channel:  enum { email, phone, chat, portal }

output priority: enum { P1, P2, P3, P4 } first default P4
output team:     enum { service_desk, network, security } unique default service_desk
output escalate: enum { L1, L2, L3 } max
output floor:    enum { L1, L2, L3 } min
output urgent:   flag
output notify:   enum { manager, on_call, account_owner } collect
output risk:     int sum
output weight:   int max
output queue:    string first default "general"
output labels:   string collect

let exec = tags has any ["vip", "exec", "c-level"]
let fast = sla < 2h and sla is present
let hot = exec or (fast and not vip)

urgent if fast or urgency == critical
urgent if exec and sla <= 1d

priority if urgency >= high and impact == high -> P1
priority if urgency in [medium, high] or hot -> P2
priority if urgency == low and not (issue contains "outage") -> P4

team if tags has any ["vpn", "wifi", "dns"] and channel != chat -> network
team if channel == chat and issue starts_with "sec:" -> security

escalate if vip -> L2
escalate if urgent and reopened >= 2 -> L3
escalate if score > 7.5 -> L3

floor if urgency <= medium -> L1
floor if priority == P1 -> L2

notify if priority == P1 -> on_call
notify if exec -> account_owner
notify if tags has all ["vip", "exec"] -> manager

risk if vip -> 10
risk if reopened > 0 -> 5
risk if score >= -1.25 and score < 3 -> -2

weight if reopened in [1, 2, 3] -> 1
weight if reopened > 3 -> 4
weight if score is missing -> 0

queue if issue ends_with "?" -> "questions"
queue if issue contains "café" -> "Café \"corner\""

labels if tags has "hw" -> "hardware"
labels if channel not in [email, portal] -> "live"
labels if urgent -> "urgent"
)";

struct fixture {
  std::shared_ptr<const triage::policy> pol;
  fixture() {
    triage::compile_result r = triage::compile(policy_text, "ticket_fuzz.rules");
    if (!r.ok()) fail("the fixed policy does not compile: " + r.issues.front().message);
    pol = r.value;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fixture f;
  static triage::ticket_decoder decoder{f.pol};
  // Limits so small that short inputs meet each of them, for one input in four.
  static triage::ticket_decoder small_decoder{
      f.pol, "id",
      triage::ticket_limits{.max_line_bytes = 96, .max_json_nesting = 3, .max_tags_per_ticket = 2,
                            .max_string_field_bytes = 8}};
  static triage::ticket t{f.pol};
  static triage::ticket again{f.pol};
  static triage::decision d{f.pol};
  static triage::decision d_again{f.pol};

  const std::string_view line(reinterpret_cast<const char*>(data), size);
  triage::ticket_decoder& first = size % 4 == 0 ? small_decoder : decoder;
  const bool ok = first.decode(line, t);
  triage_fuzz::require_json(first.id_json(), "the id");
  if (!ok) {
    if (first.error().empty()) fail("a ticket was rejected without an error");
    return 0;
  }
  if (!first.error().empty()) fail("an accepted ticket left an error: " + first.error());
  if (const auto invalid = f.pol->validate(t)) fail("an accepted ticket is invalid: " + *invalid);

  triage::evaluation_trace trace;
  f.pol->evaluate(t, d, trace);
  const std::string decided = d.to_json();
  triage_fuzz::require_json(decided, "the decision");
  const std::string printed = t.to_json();
  triage_fuzz::require_json(printed, "the ticket");

  // What the engine prints, it reads back to the same ticket and decision.
  if (!decoder.decode(printed, again)) {
    fail("the printed ticket " + printed + " is rejected: " + decoder.error());
  }
  if (again.to_json() != printed) fail("the ticket " + printed + " reads back as " + again.to_json());
  f.pol->evaluate(again, d_again);
  if (d_again.to_json() != decided) {
    fail("the ticket " + printed + " decides " + decided + " but read back " + d_again.to_json());
  }
  return 0;
}
