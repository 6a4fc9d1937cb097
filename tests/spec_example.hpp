// The first example of the language reference (section 1), which several components'
// tests use as their realistic whole policy: one copy, so they all test the same text.
#ifndef TRIAGE_TESTS_SPEC_EXAMPLE_HPP
#define TRIAGE_TESTS_SPEC_EXAMPLE_HPP

namespace triage_test {

inline constexpr const char* spec_example_policy = R"(# routing.rules — service-desk routing policy

field issue:         string   required
field urgency:       enum { low, medium, high, critical } required
field impact:        enum { low, medium, high } required
field category:      enum { break_fix, request, project, compliance }
field sla:           duration          # time left before the SLA is breached
field repeat_client: bool
field tags:          tags
field reopened:      int

output priority: enum { P1, P2, P3, P4 } first default P4
output team:     enum { service_desk, network, security, apps } first default service_desk
output escalate: enum { L1, L2, L3 } max
output urgent:   flag
output notify:   enum { manager, on_call, account_owner } collect
output risk:     int sum

let vip = tags has any ["vip", "exec"]

urgent if sla < 2h
urgent if vip and sla < 8h

priority if impact == high and urgency >= high -> P1
priority if impact >= medium and urgency >= medium -> P2
priority if urgency == low -> P4

team if tags has any ["vpn", "wifi", "dns"] -> network
team if category == compliance or issue contains "phishing" -> security

escalate if repeat_client -> L2
escalate if urgent and reopened >= 2 -> L3

notify if priority == P1 -> on_call
notify if vip -> account_owner

risk if repeat_client -> 10
risk if reopened > 0 -> 5

test "VPN outage for a repeat client" {
  given urgency = high, impact = high, sla = 90m, tags = ["vpn"], repeat_client = true,
        issue = "VPN down for the whole office"
  expect priority = P1, team = network, urgent = true, escalate = L2,
         notify = [on_call], risk = 10
}
)";

}  // namespace triage_test

#endif  // TRIAGE_TESTS_SPEC_EXAMPLE_HPP
