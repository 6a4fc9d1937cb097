// Evaluation: hit policies, operators, missing values, absent outputs, dependency order,
// defaults, traces, and the language reference's first example.
#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "triage/policy.hpp"
#include "spec_example.hpp"

namespace {

// The example of the language reference, section 1, verbatim.
constexpr const char* routing_rules = triage_test::spec_example_policy;

std::shared_ptr<const triage::policy> compile_ok(std::string_view text) {
  triage::compile_result r = triage::compile(text, "test.rules");
  std::string issues;
  for (const triage::diagnostic& d : r.issues) issues += d.message + "\n";
  REQUIRE_MESSAGE(r.ok(), issues);
  return r.value;
}

// Decodes a JSON ticket, evaluates it and returns the decision's JSON.
std::string decide(const std::shared_ptr<const triage::policy>& p, std::string_view json) {
  triage::ticket_decoder decoder{p};
  triage::ticket t{p};
  triage::decision d{p};
  REQUIRE_MESSAGE(decoder.decode(json, t), decoder.error());
  p->evaluate(t, d);
  return d.to_json();
}

}  // namespace

TEST_CASE("the reference's first example decides its test block's ticket as expected") {
  const auto p = compile_ok(routing_rules);
  triage::ticket t{p};
  triage::decision d{p};
  // Built from the test block itself, through the model the checker made of it.
  const triage::test_def& test = p->model().tests.at(0);
  CHECK(test.name == "VPN outage for a repeat client");
  for (const triage::test_input& in : test.given) {
    const triage::field_handle f = p->field_at(in.field);
    switch (f.type()) {
      case triage::field_type::enumeration: t.set_member(f, static_cast<std::uint32_t>(std::get<std::int64_t>(in.values[0]))); break;
      case triage::field_type::duration: t.set(f, std::chrono::seconds{std::get<std::int64_t>(in.values[0])}); break;
      case triage::field_type::boolean: t.set(f, std::get<bool>(in.values[0])); break;
      case triage::field_type::string: t.set(f, std::get<std::string>(in.values[0])); break;
      case triage::field_type::tags:
        for (const triage::scalar& v : in.values) t.add_tag(f, std::get<std::string>(v));
        break;
      default: FAIL("unexpected field type in the example's test");
    }
  }
  p->evaluate(t, d);
  for (const triage::test_expectation& e : test.expect) {
    const triage::output_handle o = p->output_at(e.output);
    CAPTURE(p->model().outputs[e.output].name);
    switch (o.type()) {
      case triage::output_type::flag: CHECK(d.flag(o) == std::get<bool>(e.values.at(0))); break;
      case triage::output_type::integer: CHECK(d.integer(o) == std::get<std::int64_t>(e.values.at(0))); break;
      case triage::output_type::enumeration:
        if (o.policy() == triage::hit_policy::collect) {
          REQUIRE(d.collected_ids(o).size() == e.values.size());
          for (std::size_t i = 0; i < e.values.size(); ++i) {
            CHECK(d.collected_ids(o)[i] == std::get<std::int64_t>(e.values[i]));
          }
        } else {
          CHECK(d.member(o) == std::get<std::int64_t>(e.values.at(0)));
        }
        break;
      case triage::output_type::string: CHECK(d.text(o) == std::get<std::string>(e.values.at(0))); break;
    }
  }
  CHECK(d.to_json() ==
        R"({"priority": "P1", "team": "network", "escalate": "L2", "urgent": true, "notify": ["on_call"], "risk": 10})");
}

TEST_CASE("the first example decides other tickets as the reference says") {
  const auto p = compile_ok(routing_rules);
  SUBCASE("a quiet ticket gets the defaults, false flags, an empty collect list and a zero sum") {
    CHECK(decide(p, R"({"issue": "printer", "urgency": "low", "impact": "low"})") ==
          R"({"priority": "P4", "team": "service_desk", "escalate": null, "urgent": false, "notify": [], "risk": 0})");
  }
  SUBCASE("a vip phishing report that was reopened") {
    CHECK(decide(p, R"({"issue": "Possible PHISHING mail", "urgency": "critical", "impact": "medium",
                         "sla": "4h", "tags": ["exec"], "reopened": 3, "repeat_client": true})") ==
          R"({"priority": "P2", "team": "security", "escalate": "L3", "urgent": true, "notify": ["account_owner"], "risk": 15})");
  }
}

TEST_CASE("hit policies combine the matching rules' values") {
  const auto p = compile_ok(R"(
field n: int
output f: enum { a, b, c } first
output mx: enum { a, b, c } max
output mn: enum { a, b, c } min
output u: string unique
output col: string collect
output s: int sum
output imax: int max
output imin: int min
output fl: flag
f if n > 0 -> b
f if n > 1 -> c
mx if n > 0 -> b
mx if n > 1 -> c
mx if n > 2 -> a
mn if n > 0 -> b
mn if n > 1 -> c
mn if n > 2 -> a
u if n == 1 -> "one"
u if n >= 5 -> "many"
col if n > 1 -> "y"
col if n > 0 -> "x"
col if n > 2 -> "y"
s if n > 0 -> 10
s if n > 1 -> -3
s if n > 2 -> 100
imax if n > 0 -> -5
imax if n > 1 -> -7
imin if n > 0 -> -5
imin if n > 1 -> -7
fl if n > 3
)");
  CHECK(decide(p, R"({"n": 0})") ==
        R"({"f": null, "mx": null, "mn": null, "u": null, "col": [], "s": 0, "imax": null, "imin": null, "fl": false})");
  CHECK(decide(p, R"({"n": 1})") ==
        R"({"f": "b", "mx": "b", "mn": "b", "u": "one", "col": ["x"], "s": 10, "imax": -5, "imin": -5, "fl": false})");
  CHECK(decide(p, R"({"n": 3})") ==
        R"({"f": "b", "mx": "c", "mn": "a", "u": null, "col": ["y", "x"], "s": 107, "imax": -5, "imin": -7, "fl": false})");
  CHECK(decide(p, R"({"n": 7})") ==
        R"({"f": "b", "mx": "c", "mn": "a", "u": "many", "col": ["y", "x"], "s": 107, "imax": -5, "imin": -7, "fl": true})");
}

TEST_CASE("defaults apply only when no rule matches") {
  const auto p = compile_ok(R"(
field n: int
output e: enum { lo, hi } max default lo
output s: string first default "none"
output i: int min default 42
e if n > 5 -> hi
s if n > 5 -> "big"
i if n > 5 -> 7
)");
  CHECK(decide(p, R"({"n": 1})") == R"({"e": "lo", "s": "none", "i": 42})");
  CHECK(decide(p, R"({"n": 9})") == R"({"e": "hi", "s": "big", "i": 7})");
  CHECK(decide(p, R"({})") == R"({"e": "lo", "s": "none", "i": 42})");
}

TEST_CASE("every operator, with missing values making every comparison false") {
  const auto p = compile_ok(R"(
field e: enum { low, medium, high }
field d: duration
field n: number
field i: int
field s: string
field t: tags
field b: bool
output eq: flag
output ne: flag
output lt: flag
output le: flag
output gt: flag
output ge: flag
output inn: flag
output nin: flag
output con: flag
output sw: flag
output ew: flag
output hs: flag
output hany: flag
output hall: flag
output miss: flag
output pres: flag
output truth: flag
output neg: flag
output numeric: flag
eq if e == medium
ne if e != medium
lt if d < 1h30m
le if d <= 1h30m
gt if n > 2.5
ge if i >= 3
inn if s in ["a", "b"]
nin if s not in ["a", "b"]
con if s contains "VpN"
sw if s starts_with "A"
ew if s ends_with "z"
hs if t has "vpn"
hany if t has any ["x", "dns"]
hall if t has all ["vpn", "dns"]
miss if i is missing
pres if i is present
truth if b
neg if not b
numeric if i > 2.5 and n >= 3
)");
  SUBCASE("all missing: only 'is missing' and negations hold") {
    CHECK(decide(p, "{}") ==
          R"({"eq": false, "ne": false, "lt": false, "le": false, "gt": false, "ge": false, "inn": false, "nin": false, )"
          R"("con": false, "sw": false, "ew": false, "hs": false, "hany": false, "hall": false, "miss": true, "pres": false, )"
          R"("truth": false, "neg": true, "numeric": false})");
  }
  SUBCASE("values that make every test true") {
    CHECK(decide(p, R"({"e": "medium", "d": 5400, "n": 3, "i": 3, "s": "a-vpn-z", "t": ["vpn", "dns"], "b": true})") ==
          R"({"eq": true, "ne": false, "lt": false, "le": true, "gt": true, "ge": true, "inn": false, "nin": true, )"
          R"("con": true, "sw": true, "ew": true, "hs": true, "hany": true, "hall": true, "miss": false, "pres": true, )"
          R"("truth": true, "neg": false, "numeric": true})");
  }
  SUBCASE("values on the other side of every test") {
    CHECK(decide(p, R"({"e": "high", "d": "1h29m59s", "n": 2.5, "i": 2, "s": "b", "t": ["dns"], "b": false})") ==
          R"({"eq": false, "ne": true, "lt": true, "le": true, "gt": false, "ge": false, "inn": true, "nin": false, )"
          R"("con": false, "sw": false, "ew": false, "hs": false, "hany": true, "hall": false, "miss": false, "pres": true, )"
          R"("truth": false, "neg": true, "numeric": false})");
  }
  SUBCASE("an empty tag set is present and holds nothing") {
    CHECK(decide(p, R"({"t": []})").find(R"("hs": false, "hany": false, "hall": false)") != std::string::npos);
  }
}

TEST_CASE("text tests ignore ASCII case only, whether the ticket was decoded or set field by field") {
  const auto p = compile_ok(R"(
field s: string
output con: flag
output ncon: flag
output sw: flag
output ew: flag
output accent: flag
con if s contains "VpN"
ncon if not s contains "dns"
sw if s starts_with "Re:"
ew if s ends_with "DOWN"
accent if s contains "café"
)");
  CHECK(decide(p, R"({"s": "RE: my vpn is Down"})") ==
        R"({"con": true, "ncon": true, "sw": true, "ew": true, "accent": false})");
  CHECK(decide(p, R"({"s": "DNS: CAFÉ wifi"})") ==
        R"({"con": false, "ncon": false, "sw": false, "ew": false, "accent": false})");
  CHECK(decide(p, R"({"s": "Café VPN"})") ==
        R"({"con": true, "ncon": true, "sw": false, "ew": false, "accent": true})");
  // The typed setter folds as the decoder does, and a shorter value replaces a longer one.
  triage::ticket t{p};
  triage::decision d{p};
  t.set(p->field("s"), "nothing to see here, VPN down");
  p->evaluate(t, d);
  CHECK(d.to_json() == R"({"con": true, "ncon": true, "sw": false, "ew": true, "accent": false})");
  t.set(p->field("s"), "re:");
  p->evaluate(t, d);
  CHECK(d.to_json() == R"({"con": false, "ncon": true, "sw": true, "ew": false, "accent": false})");
  t.clear(p->field("s"));  // missing: every test is false, so its negation holds
  p->evaluate(t, d);
  CHECK(d.to_json() == R"({"con": false, "ncon": true, "sw": false, "ew": false, "accent": false})");
}

TEST_CASE("an absent output compares like a missing field, and outputs are decided in dependency order") {
  // `level` is declared after `page`, which reads it: evaluation order puts it first.
  const auto p = compile_ok(R"(
field n: int
output page: flag
output quiet: flag
output tier: enum { t1, t2 } first
output level: enum { low, high } first
output labels: string collect
page if level == high
quiet if not level == high
quiet if level != high
tier if labels has "x" -> t2
level if n > 5 -> high
level if n > 0 -> low
labels if page -> "x"
)");
  CHECK(decide(p, R"({"n": 9})") == R"({"page": true, "quiet": false, "tier": "t2", "level": "high", "labels": ["x"]})");
  CHECK(decide(p, R"({"n": 1})") == R"({"page": false, "quiet": true, "tier": null, "level": "low", "labels": []})");
  // No rule of `level` matches: absent, so `level != high` is false but `not level == high` holds.
  CHECK(decide(p, R"({"n": 0})") == R"({"page": false, "quiet": true, "tier": null, "level": null, "labels": []})");
  const triage::output_handle level = p->output("level");
  triage::ticket t{p};
  triage::decision d{p};
  t.set(p->field("n"), 0);
  p->evaluate(t, d);
  CHECK_FALSE(d.present(level));
  CHECK(d.member(level) == triage::no_index);
  CHECK(d.text(level).empty());
}

TEST_CASE("a trace lists every matching rule per output, by label or position") {
  const auto p = compile_ok(routing_rules);
  triage::ticket_decoder decoder{p};
  triage::ticket t{p};
  triage::decision d{p};
  triage::evaluation_trace trace;
  REQUIRE(decoder.decode(R"({"issue": "x", "urgency": "high", "impact": "high", "sla": "1h", "tags": ["vip"]})", t));
  p->evaluate(t, d, trace);
  auto names = [&](const char* output) {
    std::vector<std::string> out;
    for (const std::uint32_t r : trace.matched(p->output(output))) out.push_back(p->model().rules[r].name);
    return out;
  };
  CHECK(names("urgent") == std::vector<std::string>{"test.rules:21", "test.rules:22"});
  // `first` needs only the first, but the trace shows every rule that matched.
  CHECK(names("priority") == std::vector<std::string>{"test.rules:24", "test.rules:25"});
  CHECK(names("team").empty());
  CHECK(names("notify") == std::vector<std::string>{"test.rules:34", "test.rules:35"});
  CHECK(d.text(p->output("priority")) == "P1");
  // Without the trace the decision is the same.
  triage::decision d2{p};
  p->evaluate(t, d2);
  CHECK(d2.to_json() == d.to_json());
}

TEST_CASE("typed accessors read each kind of output") {
  const auto p = compile_ok(routing_rules);
  triage::ticket t{p};
  triage::decision d{p};
  t.set(p->field("issue"), "VPN");
  t.set(p->field("urgency"), "high");
  t.set(p->field("impact"), "high");
  t.set(p->field("sla"), std::chrono::minutes{90});
  t.set_tags(p->field("tags"), {"vpn", "exec"});
  t.set(p->field("reopened"), 2);
  p->evaluate(t, d);
  CHECK(d.valid());
  CHECK(d.member(p->output("priority")) == 0);
  CHECK(d.text(p->output("priority")) == "P1");
  CHECK(d.text(p->output("escalate")) == "L3");
  CHECK(d.flag(p->output("urgent")));
  CHECK(d.integer(p->output("risk")) == 5);
  const auto notify = d.collected(p->output("notify"));
  REQUIRE(notify.size() == 2);
  CHECK(notify[0] == "on_call");
  CHECK(notify[1] == "account_owner");
  CHECK(d.collected_ids(p->output("notify"))[1] == 2);
  CHECK_FALSE(p->output("nope").valid());
  CHECK(d.collected(p->output("nope")).empty());
}

TEST_CASE("the batch form evaluates each ticket into its own decision") {
  const auto p = compile_ok(routing_rules);
  const triage::field_handle issue = p->field("issue"), urgency = p->field("urgency"), impact = p->field("impact");
  std::vector<triage::ticket> tickets(3, triage::ticket{p});
  std::vector<triage::decision> out(3, triage::decision{p});
  const char* levels[] = {"low", "medium", "high"};
  for (std::size_t i = 0; i < 3; ++i) {
    tickets[i].set(issue, "x");
    tickets[i].set(urgency, levels[i]);
    tickets[i].set(impact, levels[i]);
  }
  p->evaluate(std::span<const triage::ticket>(tickets), std::span<triage::decision>(out));
  const triage::output_handle priority = p->output("priority");
  CHECK(out[0].text(priority) == "P4");
  CHECK(out[1].text(priority) == "P2");
  CHECK(out[2].text(priority) == "P1");
}

TEST_CASE("a ticket of another policy gives an invalid, empty decision") {
  const auto p = compile_ok(routing_rules);
  const auto q = compile_ok(routing_rules);
  triage::ticket t{q};
  triage::decision d{p};
  p->evaluate(t, d);
  CHECK_FALSE(d.valid());
  CHECK_FALSE(d.present(p->output("priority")));
  CHECK(p->validate(t) == std::optional<std::string>{"the ticket was made for another policy"});
  // A decision bound to another policy is rebound to the one evaluating.
  triage::ticket tp{p};
  triage::decision dq{q};
  tp.set(p->field("issue"), "x");
  tp.set(p->field("urgency"), "low");
  tp.set(p->field("impact"), "low");
  p->evaluate(tp, dq);
  CHECK(dq.valid());
  CHECK(dq.owner() == p);
  CHECK(dq.text(p->output("priority")) == "P4");
}

TEST_CASE("validate reports a missing required field of a ticket built by hand") {
  const auto p = compile_ok(routing_rules);
  triage::ticket t{p};
  t.set(p->field("issue"), "x");
  t.set(p->field("urgency"), "low");
  CHECK(p->validate(t) == std::optional<std::string>{"missing required field 'impact'"});
  t.set(p->field("impact"), "low");
  CHECK(p->validate(t) == std::nullopt);
}

TEST_CASE("compile reports problems as diagnostics, never exceptions") {
  SUBCASE("a file that does not exist") {
    const triage::compile_result r = triage::compile_file("/nonexistent/dir/routing.rules");
    CHECK_FALSE(r.ok());
    REQUIRE(r.issues.size() == 1);
    CHECK(r.issues[0].message == "cannot read file '/nonexistent/dir/routing.rules': no such file or directory");
    REQUIRE(r.source != nullptr);
    CHECK(r.source->name() == "/nonexistent/dir/routing.rules");
  }
  SUBCASE("a file over the size limit") {
    triage::limits lim;
    lim.max_file_bytes = 10;
    const triage::compile_result r = triage::compile_file(TRIAGE_SOURCE_DIR "/CMakeLists.txt", lim);
    CHECK_FALSE(r.ok());
    REQUIRE(r.issues.size() == 1);
    CHECK(r.issues[0].code == triage::diagnostic_code::limit_exceeded);
  }
  SUBCASE("a policy with a type error keeps its diagnostics and source") {
    const triage::compile_result r = triage::compile("field n: int\noutput o: flag\no if n == \"x\"\n", "bad.rules");
    CHECK_FALSE(r.ok());
    CHECK(triage::has_errors(r.issues));
    CHECK(r.source->name() == "bad.rules");
  }
  SUBCASE("a readable file compiles, named by its path") {
    const std::filesystem::path path = std::filesystem::temp_directory_path() / "triage_evaluate_test.rules";
    {
      std::ofstream out(path, std::ios::binary);
      out << routing_rules;
    }
    const triage::compile_result r = triage::compile_file(path);
    std::filesystem::remove(path);
    CHECK(r.ok());
    CHECK(r.source->name() == path.string());
    CHECK(r.value->source().text() == routing_rules);
  }
}

TEST_CASE("the policy exposes handles, members and the decision table") {
  const auto p = compile_ok(routing_rules);
  const triage::field_handle urgency = p->field("urgency");
  CHECK(urgency.valid());
  CHECK(urgency.type() == triage::field_type::enumeration);
  CHECK(urgency.index() == 1);
  CHECK_FALSE(p->field("urgnecy").valid());
  CHECK(p->member(urgency, "critical") == std::optional<std::uint32_t>{3});
  CHECK(p->member(urgency, "hgih") == std::nullopt);
  CHECK(p->member(p->field("issue"), "x") == std::nullopt);
  CHECK(p->output("risk").policy() == triage::hit_policy::sum);
  CHECK(p->table().outputs.size() == 6);
  // `team if category == compliance or issue contains "phishing"` is two rows.
  CHECK(p->table().outputs[1].rows.size() == 3);
}

TEST_CASE("decision JSON escapes strings and keeps non-ASCII text") {
  const auto p = compile_ok(R"(
field n: int
output note: string first default "none \"quoted\""
output tags: string collect
note if n == 1 -> "café \\ tab\t"
tags if n >= 1 -> "naïve"
tags if n >= 1 -> "line\nbreak"
)");
  CHECK(decide(p, R"({"n": 1})") == R"({"note": "café \\ tab\t", "tags": ["naïve", "line\nbreak"]})");
  CHECK(decide(p, R"({"n": 0})") == R"({"note": "none \"quoted\"", "tags": []})");
}
