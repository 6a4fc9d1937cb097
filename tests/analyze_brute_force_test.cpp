// The analysis against brute force: random policies over small finite domains, every
// ticket of the domain decided by the evaluator, each finding computed from those
// decisions, and the analysis required to report exactly the same findings — and every
// example ticket it prints decoded as JSON (so it is valid) and re-evaluated to confirm.
//
// The domains are chosen so that they hold a value of every class the generated literals
// cut: ints and durations from -1 to 4 around literals 0..3, numbers at and between the
// literals 0.5, 1, 1.5, every tag subset of {x, y, z}, every string of length at most 4
// over {a, b, c} (needles are at most 2 long, so prefix + suffix fit) plus the equality
// literals. So the brute force sees every behaviour a real ticket can have.
//
// Environment: TRIAGE_ANALYZE_POLICIES (default 1,000), TRIAGE_ANALYZE_SEED (default 1).
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "triage/analyze.hpp"
#include "triage/check.hpp"
#include "triage/policy.hpp"

namespace {

enum class kind : std::uint8_t { boolean, enumeration, integer, duration, number, string, tags };

struct field_spec {
  const char* name;
  kind type;
  const char* decl;
};

constexpr field_spec all_fields[] = {
    {"b", kind::boolean, "bool"},          {"e", kind::enumeration, "enum { lo, mid, hi }"},
    {"n", kind::integer, "int"},           {"d", kind::duration, "duration"},
    {"x", kind::number, "number"},         {"s", kind::string, "string"},
    {"t", kind::tags, "tags"},
};

// One value of a field's test domain; `missing` or the value for its type.
struct value {
  bool missing = false;
  std::int64_t i = 0;
  double d = 0.0;
  std::string s;
  std::vector<std::string> tags;
};

value missing_value() {
  value v;
  v.missing = true;
  return v;
}
value int_value(std::int64_t i) {
  value v;
  v.i = i;
  return v;
}
value number_value(double d) {
  value v;
  v.d = d;
  return v;
}
value text_value(std::string s) {
  value v;
  v.s = std::move(s);
  return v;
}

std::vector<value> domain(kind type, bool required) {
  std::vector<value> out;
  if (!required) out.push_back(missing_value());
  switch (type) {
    case kind::boolean:
      for (int v = 0; v < 2; ++v) out.push_back(int_value(v));
      break;
    case kind::enumeration:
      for (int v = 0; v < 3; ++v) out.push_back(int_value(v));
      break;
    case kind::integer:
    case kind::duration:
      for (int v = -1; v <= 4; ++v) out.push_back(int_value(v));
      break;
    case kind::number:
      for (double v : {0.0, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0}) out.push_back(number_value(v));
      break;
    case kind::string: {
      std::vector<std::string> all{""};
      for (std::size_t len = 1, from = 0; len <= 4; ++len) {
        const std::size_t to = all.size();
        for (std::size_t k = from; k < to; ++k) {
          for (const char ch : {'a', 'b', 'c'}) all.push_back(all[k] + ch);
        }
        from = to;
      }
      all.push_back("B");
      all.push_back("Ab");
      for (std::string& s : all) out.push_back(text_value(std::move(s)));
      break;
    }
    case kind::tags:
      for (int mask = 0; mask < 8; ++mask) {
        value v;
        for (int k = 0; k < 3; ++k) {
          if ((mask >> k & 1) != 0) v.tags.push_back(std::string(1, static_cast<char>('x' + k)));
        }
        out.push_back(std::move(v));
      }
      break;
  }
  return out;
}

// Writes random policies over the fields above.
class generator {
 public:
  explicit generator(std::uint64_t seed) : rng_(seed) {}

  struct result {
    std::string text;
    std::vector<std::size_t> fields;  // indices into all_fields
    std::vector<bool> required;
  };

  result make() {
    result r;
    for (;;) {
      r.fields.clear();
      r.required.clear();
      const int count = pick(1, 3);
      std::vector<std::size_t> order{0, 1, 2, 3, 4, 5, 6};
      std::shuffle(order.begin(), order.end(), rng_);
      std::uint64_t size = 1;
      for (int k = 0; k < count; ++k) {
        r.fields.push_back(order[static_cast<std::size_t>(k)]);
        r.required.push_back(pick(0, 2) == 0);
        size *= domain(all_fields[order[static_cast<std::size_t>(k)]].type, r.required.back()).size();
      }
      if (size <= 8000) break;
    }
    fields_ = r.fields;
    for (std::size_t k = 0; k < r.fields.size(); ++k) {
      const field_spec& f = all_fields[r.fields[k]];
      r.text += fmt::format("field {}: {}{}\n", f.name, f.decl, r.required[k] ? " required" : "");
    }
    // Output o0: an enum with a random hit policy, or an int sum; o1: a flag or a `first`
    // enum that may read o0.
    static const char* const policies[] = {"first", "unique", "max", "min", "collect", "sum"};
    o0_policy_ = policies[pick(0, 5)];
    const bool sum = o0_policy_ == "sum";
    const bool can_complete = o0_policy_ != "collect" && !sum;
    const bool complete = can_complete && pick(0, 2) == 0;
    const bool with_default = !complete && o0_policy_ == "first" && pick(0, 2) == 0;
    r.text += fmt::format("output o0: {} {}{}{}\n", sum ? "int" : "enum { A, B, C }", o0_policy_,
                          complete ? " complete" : "", with_default ? " default C" : "");
    const bool o1_flag = pick(0, 1) == 0;
    r.text += o1_flag ? "output o1: flag\n" : "output o1: enum { A, B, C } first\n";
    std::vector<std::string> o0_rules;
    const int n0 = pick(1, 4);
    for (int k = 0; k < n0; ++k) {
      std::string rule;
      if (!o0_rules.empty() && pick(0, 6) == 0) {
        rule = o0_rules[static_cast<std::size_t>(pick(0, static_cast<int>(o0_rules.size()) - 1))];
      } else {
        rule = fmt::format("o0 if {} -> {}", condition(2, false), sum ? std::to_string(pick(1, 3)) : member());
      }
      o0_rules.push_back(rule);
      r.text += fmt::format("r0_{}: {}\n", k, rule);
    }
    const int n1 = pick(1, 3);
    for (int k = 0; k < n1; ++k) {
      r.text += fmt::format("r1_{}: o1 if {}{}\n", k, condition(2, true),
                            o1_flag ? std::string() : " -> " + member());
    }
    return r;
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  std::string member() { return std::string(1, static_cast<char>('A' + pick(0, 2))); }
  template <std::size_t N>
  const char* one(const char* const (&options)[N]) {
    return options[pick(0, static_cast<int>(N) - 1)];
  }

  std::string atom(bool may_read_o0) {
    if (may_read_o0 && pick(0, 3) == 0) {
      if (o0_policy_ == "collect") return fmt::format("o0 has {}", member());
      if (o0_policy_ == "sum") return fmt::format("o0 {} {}", one({"==", ">=", "<", "!="}), pick(0, 4));
      return fmt::format("o0 {} {}", one({"==", "!=", ">=", "<"}), member());
    }
    const field_spec& f = all_fields[fields_[static_cast<std::size_t>(pick(0, static_cast<int>(fields_.size()) - 1))]];
    if (pick(0, 7) == 0) return fmt::format("{} {}", f.name, one({"is missing", "is present"}));
    static const char* const order_ops[] = {"==", "!=", "<", "<=", ">", ">="};
    switch (f.type) {
      case kind::boolean: return pick(0, 1) == 0 ? "b" : fmt::format("b {} {}", one({"==", "!="}), one({"true", "false"}));
      case kind::enumeration:
        if (pick(0, 3) == 0) return fmt::format("e {} [{}]", one({"in", "not in"}), one({"lo", "mid, hi", "lo, hi"}));
        return fmt::format("e {} {}", one(order_ops), one({"lo", "mid", "hi"}));
      case kind::integer:
        if (pick(0, 4) == 0) return fmt::format("n {} [{}]", one({"in", "not in"}), one({"1", "0, 3", "2, 3"}));
        return fmt::format("n {} {}", one(order_ops), one({"0", "1", "2", "3", "1.5", "2.0"}));
      case kind::duration: return fmt::format("d {} {}", one(order_ops), one({"0s", "1s", "2s", "3s"}));
      case kind::number: return fmt::format("x {} {}", one(order_ops), one({"0.5", "1.0", "1.5", "1"}));
      case kind::string:
        switch (pick(0, 3)) {
          case 0: return fmt::format("s {} {}", one({"==", "!="}), one({"\"a\"", "\"ab\"", "\"B\"", "\"\""}));
          case 1: return fmt::format("s {} [{}]", one({"in", "not in"}), one({"\"a\", \"B\"", "\"ab\"", "\"\", \"b\""}));
          default:
            return fmt::format("s {} {}", one({"contains", "starts_with", "ends_with"}),
                               one({"\"a\"", "\"b\"", "\"ab\"", "\"A\"", "\"bA\""}));
        }
      case kind::tags:
        if (pick(0, 1) == 0) return fmt::format("t has {}", one({"\"x\"", "\"y\"", "\"z\""}));
        return fmt::format("t {} [{}]", one({"has any", "has all"}), one({"\"x\", \"y\"", "\"y\", \"z\"", "\"x\""}));
    }
    return "b";
  }

  std::string condition(int depth, bool may_read_o0) {
    const int choice = depth == 0 ? 0 : pick(0, 5);
    switch (choice) {
      case 3: return "not " + condition(depth - 1, may_read_o0);
      case 4: return "(" + condition(depth - 1, may_read_o0) + " and " + condition(depth - 1, may_read_o0) + ")";
      case 5: return "(" + condition(depth - 1, may_read_o0) + " or " + condition(depth - 1, may_read_o0) + ")";
      default: return atom(may_read_o0);
    }
  }

  std::mt19937_64 rng_;
  std::vector<std::size_t> fields_;
  std::string o0_policy_;
};

void set_value(triage::ticket& t, triage::field_handle f, const value& v) {
  if (v.missing) {
    t.clear(f);
    return;
  }
  switch (f.type()) {
    case triage::field_type::boolean: t.set_bool(f, v.i != 0); break;
    case triage::field_type::enumeration: t.set_member(f, static_cast<std::uint32_t>(v.i)); break;
    case triage::field_type::integer: t.set_int(f, v.i); break;
    case triage::field_type::duration: t.set_duration(f, std::chrono::seconds{v.i}); break;
    case triage::field_type::number: t.set_number(f, v.d); break;
    case triage::field_type::string: t.set_text(f, v.s); break;
    case triage::field_type::tags: {
      std::vector<std::string_view> views(v.tags.begin(), v.tags.end());
      t.set_tags(f, std::span<const std::string_view>(views));
      break;
    }
  }
}

std::size_t total_tickets = 0;  // over all rules, to show the test's size

// The findings of one policy as comparable keys.
std::set<std::string> brute_force(const std::shared_ptr<const triage::policy>& p,
                                  const generator::result& g, const triage::model& original) {
  const triage::model& m = p->model();
  std::vector<triage::field_handle> handles;
  std::vector<std::vector<value>> domains;
  for (std::size_t k = 0; k < g.fields.size(); ++k) {
    handles.push_back(p->field(all_fields[g.fields[k]].name));
    domains.push_back(domain(all_fields[g.fields[k]].type, g.required[k]));
  }
  // Per rule: the set of ticket numbers it matched, and the rules that decided them.
  std::vector<std::vector<bool>> matched(m.rules.size());
  std::vector<std::set<std::uint32_t>> deciders(m.rules.size());
  std::vector<bool> decided(m.rules.size(), false);
  std::set<std::pair<std::uint32_t, std::uint32_t>> overlaps;
  std::set<std::uint32_t> gaps;
  triage::ticket t(p);
  triage::decision d(p);
  triage::evaluation_trace trace;
  std::vector<std::size_t> digit(handles.size(), 0);
  std::size_t tickets = 0;
  for (;;) {
    for (std::size_t k = 0; k < handles.size(); ++k) set_value(t, handles[k], domains[k][digit[k]]);
    p->evaluate(t, d, trace);
    for (std::uint32_t o = 0; o < m.outputs.size(); ++o) {
      const auto rules = trace.matched(p->output_at(o));
      if (rules.empty() && original.outputs[o].complete) gaps.insert(o);
      for (std::size_t a = 0; a < rules.size(); ++a) {
        matched[rules[a]].resize(tickets + 1, false);
        matched[rules[a]][tickets] = true;
        if (a == 0) decided[rules[a]] = true;
        else deciders[rules[a]].insert(rules[0]);
        if (original.outputs[o].policy == triage::hit_policy::unique) {
          for (std::size_t b = a + 1; b < rules.size(); ++b) overlaps.insert({rules[a], rules[b]});
        }
      }
    }
    ++tickets;
    std::size_t k = 0;
    for (; k < handles.size(); ++k) {
      if (++digit[k] < domains[k].size()) break;
      digit[k] = 0;
    }
    if (k == handles.size()) break;
  }
  std::set<std::string> out;
  for (const std::uint32_t o : gaps) out.insert("incomplete-output " + m.outputs[o].name);
  for (const auto& [a, b] : overlaps) out.insert("unique-overlap " + m.rules[a].name + " " + m.rules[b].name);
  for (triage::output_def const& o : m.outputs) {
    for (std::size_t k = 0; k < o.rules.size(); ++k) {
      const std::uint32_t r = o.rules[k];
      matched[r].resize(tickets, false);
      const auto count = std::count(matched[r].begin(), matched[r].end(), true);
      const std::string& name = m.rules[r].name;
      if (count == 0) {
        out.insert("unsatisfiable-rule " + name);
        continue;
      }
      if (static_cast<std::size_t>(count) == tickets) out.insert("always-true " + name);
      total_tickets += tickets;
      bool duplicate = false;
      if (o.policy != triage::hit_policy::sum) {
        for (std::size_t j = 0; j < k && !duplicate; ++j) {
          const std::uint32_t a = o.rules[j];
          matched[a].resize(tickets, false);
          if (matched[a] == matched[r] && m.rules[a].value == m.rules[r].value) {
            out.insert("duplicate-rule " + name + " " + m.rules[a].name);
            duplicate = true;
          }
        }
      }
      if (!duplicate && o.policy == triage::hit_policy::first && !decided[r]) {
        std::string key = "shadowed-rule " + name;
        for (const std::uint32_t a : deciders[r]) key += " " + m.rules[a].name;
        out.insert(key);
      }
    }
  }
  return out;
}

// The rule whose head starts at `offset`.
std::uint32_t rule_at(const triage::model& m, std::uint32_t offset) {
  for (std::uint32_t r = 0; r < m.rules.size(); ++r) {
    if (m.rules[r].where.begin == offset) return r;
  }
  FAIL("no rule starts at offset " << offset);
  return 0;
}

// The analysis's findings as the same keys; each example ticket is decoded from its JSON
// and evaluated to confirm the finding.
std::set<std::string> analysed(const std::shared_ptr<const triage::policy>& p,
                               const triage::diagnostics& found) {
  const triage::model& m = p->model();
  std::set<std::string> out;
  triage::ticket_decoder decoder(p);
  triage::ticket t(p);
  triage::decision d(p);
  triage::evaluation_trace trace;
  auto example = [&](const triage::diagnostic& diag) {
    REQUIRE_MESSAGE(decoder.decode(diag.example_json, t), diag.example_json << ": " << decoder.error());
    p->evaluate(t, d, trace);
  };
  for (const triage::diagnostic& diag : found) {
    if (diag.level != triage::severity::error && diag.code != triage::diagnostic_code::analysis_budget &&
        (diag.code == triage::diagnostic_code::unique_overlap || diag.code == triage::diagnostic_code::incomplete_output)) {
      out.insert("not an error: " + diag.message);
    }
    const std::string code(triage::code_name(diag.code));
    switch (diag.code) {
      case triage::diagnostic_code::incomplete_output: {
        std::uint32_t o = 0;
        while (o < m.outputs.size() && m.outputs[o].where != diag.where) ++o;
        REQUIRE(o < m.outputs.size());
        example(diag);
        CHECK(trace.matched(p->output_at(o)).empty());
        out.insert(code + " " + m.outputs[o].name);
        break;
      }
      case triage::diagnostic_code::unique_overlap: {
        const std::uint32_t b = rule_at(m, diag.where.begin);
        REQUIRE(diag.notes.size() == 1);
        const std::uint32_t a = rule_at(m, diag.notes[0].where.begin);
        example(diag);
        const auto rules = trace.matched(p->output_at(m.rules[b].output));
        CHECK(std::count(rules.begin(), rules.end(), a) == 1);
        CHECK(std::count(rules.begin(), rules.end(), b) == 1);
        out.insert(code + " " + m.rules[a].name + " " + m.rules[b].name);
        break;
      }
      case triage::diagnostic_code::shadowed_rule: {
        const std::uint32_t r = rule_at(m, diag.where.begin);
        std::string key = code + " " + m.rules[r].name;
        for (const triage::diagnostic_note& note : diag.notes) key += " " + m.rules[rule_at(m, note.where.begin)].name;
        example(diag);
        const auto rules = trace.matched(p->output_at(m.rules[r].output));
        CHECK(std::count(rules.begin(), rules.end(), r) == 1);
        CHECK(rules.front() != r);
        out.insert(key);
        break;
      }
      case triage::diagnostic_code::duplicate_rule: {
        REQUIRE(diag.notes.size() == 1);
        out.insert(code + " " + m.rules[rule_at(m, diag.where.begin)].name + " " +
                   m.rules[rule_at(m, diag.notes[0].where.begin)].name);
        break;
      }
      case triage::diagnostic_code::unsatisfiable_rule:
      case triage::diagnostic_code::always_true:
        out.insert(code + " " + m.rules[rule_at(m, diag.where.begin)].name);
        break;
      default: out.insert("unexpected " + code + ": " + diag.message); break;
    }
  }
  return out;
}

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  return text != nullptr && *text != '\0' ? std::strtoull(text, nullptr, 10) : fallback;
}

}  // namespace

TEST_CASE("the analysis reports exactly the findings brute force finds on random small policies") {
  const std::uint64_t count = env_or("TRIAGE_ANALYZE_POLICIES", 1000);
  const std::uint64_t seed = env_or("TRIAGE_ANALYZE_SEED", 1);
  std::size_t differences = 0;
  std::map<std::string, std::size_t> seen;  // how often each code was found, to show coverage
  for (std::uint64_t i = 0; i < count; ++i) {
    generator gen(seed + i);
    const generator::result g = gen.make();
    triage::compile_result compiled = triage::compile(g.text, "random.rules");
    std::shared_ptr<const triage::policy> p = compiled.value;
    std::set<std::string> expected, actual;
    if (p) {
      expected = brute_force(p, g, p->model());
      actual = analysed(p, triage::analyze(p));
      // A tiny budget sends outputs down the rule-by-rule path: everything it reports must
      // be real, and every real finding about a rule without a budget note reported.
      triage::analysis_options tight;
      tight.max_tickets_per_output = 12;
      const triage::diagnostics narrow = triage::analyze(p, tight);
      std::set<std::string> skipped;  // names of rules and outputs with a budget note
      for (const triage::diagnostic& d : narrow) {
        if (d.code != triage::diagnostic_code::analysis_budget) continue;
        ++seen["budget note (tight)"];
        for (const triage::rule_def& r : p->model().rules) {
          if (r.where.begin == d.where.begin) skipped.insert(r.name);
        }
        for (const triage::output_def& o : p->model().outputs) {
          if (o.where == d.where) skipped.insert(o.name);
        }
      }
      triage::diagnostics kept;
      for (const triage::diagnostic& d : narrow) {
        if (d.code != triage::diagnostic_code::analysis_budget) kept.push_back(d);
      }
      const std::set<std::string> partial = analysed(p, kept);
      seen["found (tight)"] += partial.size();
      for (const std::string& key : partial) {
        INFO(g.text);
        CHECK_MESSAGE(expected.count(key) == 1, "with a tight budget, reported but not real: " << key);
      }
      for (const std::string& key : expected) {
        // The key names the rule (or output) it is about second: "CODE NAME ...".
        const std::size_t from = key.find(' ') + 1;
        const std::size_t to = key.find(' ', from);
        const std::string about = key.substr(from, to == std::string::npos ? std::string::npos : to - from);
        // An overlap is reported at its later rule, the last name in the key.
        const std::string later = key.substr(key.rfind(' ') + 1);
        if (skipped.count(about) || skipped.count(later) || key.starts_with("incomplete-output")) continue;
        INFO(g.text);
        CHECK_MESSAGE(partial.count(key) == 1, "with a tight budget, missed: " << key);
      }
    } else {
      // Overlaps and gaps are compile errors, so there is no policy to enumerate. The same
      // text with `unique` read as `first` and without `complete` (blanks keep every
      // offset) matches the same rules on every ticket; its brute force, told which outputs
      // were unique or complete, gives the errors compile must have reported.
      std::string relaxed = g.text;
      for (const auto& [from, to] : {std::pair<std::string, std::string>{" unique", " first "},
                                     {" complete", "         "}}) {
        for (std::size_t at = relaxed.find(from); at != std::string::npos; at = relaxed.find(from, at)) {
          relaxed.replace(at, from.size(), to);
        }
      }
      const triage::compile_result loose = triage::compile(relaxed, "random.rules");
      INFO(g.text);
      REQUIRE_MESSAGE(loose.ok(), "the generated policy does not compile");
      const triage::check_result original = triage::parse_and_check(triage::source_file("random.rules", g.text));
      REQUIRE(original.ok());
      for (const std::string& key : brute_force(loose.value, g, *original.value)) {
        if (key.starts_with("unique-overlap") || key.starts_with("incomplete-output")) expected.insert(key);
      }
      triage::diagnostics errors;
      for (const triage::diagnostic& d : compiled.issues) {
        if (d.level == triage::severity::error) errors.push_back(d);
      }
      actual = analysed(loose.value, errors);
      ++seen["refused"];
    }
    for (const std::string& key : expected) ++seen[key.substr(0, key.find(' '))];
    if (expected != actual) {
      ++differences;
      std::string missing, extra;
      for (const std::string& k : expected) if (!actual.count(k)) missing += "\n  " + k;
      for (const std::string& k : actual) if (!expected.count(k)) extra += "\n  " + k;
      MESSAGE("seed " << seed + i << "\n" << g.text << "missed by the analysis:" << missing
                      << "\nreported but not real:" << extra);
    }
  }
  for (const auto& [code, n] : seen) MESSAGE(code << ": " << n);
  MESSAGE("rule x ticket pairs decided by brute force: " << total_tickets);
  CHECK(differences == 0);
}
