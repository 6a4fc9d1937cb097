// rulecheck stats POLICY TICKETS — what a policy did with a ticket log: per output, the
// values tickets got and how (a rule, the default, nothing); per rule, how often it matched
// and decided; the rules that never matched; rejected tickets by reason.
//
// Streams the log in constant memory: counters are per output value, per rule and per
// rejection reason, and each of those tables is capped at `max_groups` entries.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>
#include <unordered_map>
#include <vector>

#include "cli.hpp"
#include "run_support.hpp"
#include "ticket_log.hpp"
#include "triage/policy.hpp"

namespace rulecheck {
namespace {

// How many tickets got each value of one output. Enum members and flag values have fixed
// slots in declaration order (so a value no ticket got still shows, with 0); other values
// (strings, ints, sums) get a slot the first time they are seen.
struct value_counts {
  std::vector<std::string> json;  // the value as JSON
  std::vector<std::string> text;  // the value as policy text
  std::vector<std::uint64_t> count;
  std::unordered_map<std::string, std::size_t> slot_of;  // only for values seen on the way
  std::size_t fixed = 0;                                 // slots that always show
  std::uint64_t unlisted = 0;  // tickets whose value came after `max_groups` distinct ones

  void add_fixed(std::string json_text, std::string policy_text) {
    json.push_back(std::move(json_text));
    text.push_back(std::move(policy_text));
    count.push_back(0);
    ++fixed;
  }
  void add_seen(const std::string& json_text, std::string policy_text) {
    if (const auto it = slot_of.find(json_text); it != slot_of.end()) {
      ++count[it->second];
      return;
    }
    if (json.size() >= max_groups) {
      ++unlisted;
      return;
    }
    slot_of.emplace(json_text, json.size());
    json.push_back(json_text);
    text.push_back(std::move(policy_text));
    count.push_back(1);
  }
  // Slots in report order: the fixed ones as declared, then the others by count, most
  // first (ties in the order they were first seen).
  [[nodiscard]] std::vector<std::size_t> order() const {
    std::vector<std::size_t> slots(json.size());
    for (std::size_t i = 0; i < slots.size(); ++i) slots[i] = i;
    std::stable_sort(slots.begin() + static_cast<std::ptrdiff_t>(fixed), slots.end(),
                     [this](std::size_t a, std::size_t b) { return count[a] > count[b]; });
    return slots;
  }
};

// What happened to one output over the log.
struct output_stats {
  std::uint64_t by_rule = 0;     // some rule matched
  std::uint64_t by_default = 0;  // no rule matched; the declared default applied
  std::uint64_t none = 0;        // no rule matched and there is no default
  value_counts values;
  std::vector<std::int64_t> rule_values;  // max/min: each rule's value, to find the winner
};

struct rule_stats {
  std::uint64_t matched = 0;
  std::uint64_t decided = 0;
};

// Rejected tickets with the same message.
struct reason_stats {
  std::string message;
  std::uint64_t count = 0;
  std::vector<ticket_ref> examples;
};

struct log_stats {
  std::uint64_t tickets = 0;  // non-blank lines
  std::uint64_t evaluated = 0;
  std::uint64_t rejected = 0;
  std::vector<output_stats> outputs;
  std::vector<rule_stats> rules;
  std::vector<reason_stats> reasons;
  std::unordered_map<std::string, std::size_t> reason_of;
  std::uint64_t unlisted_rejected = 0;  // after `max_groups` distinct reasons
};

std::string scalar_json(const triage::model& m, const triage::output_def& def,
                        const triage::scalar& v) {
  std::string out;
  if (def.type == triage::output_type::enumeration) {
    append_json_string(
        out, m.enums[def.enum_index].members[static_cast<std::size_t>(std::get<std::int64_t>(v))]);
  } else if (def.type == triage::output_type::string) {
    append_json_string(out, std::get<std::string>(v));
  } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
    out = std::to_string(*i);
  } else {
    out = std::get<bool>(v) ? "true" : "false";
  }
  return out;
}

std::string scalar_text(const triage::model& m, const triage::output_def& def,
                        const triage::scalar& v) {
  return triage::value_text(m, v, def.enum_index);
}

void prepare(const triage::policy& pol, log_stats& s) {
  const triage::model& m = pol.model();
  s.outputs.resize(m.outputs.size());
  s.rules.resize(m.rules.size());
  for (std::uint32_t i = 0; i < m.outputs.size(); ++i) {
    const triage::output_def& def = m.outputs[i];
    output_stats& o = s.outputs[i];
    if (def.type == triage::output_type::flag) {
      o.values.add_fixed("true", "true");
      o.values.add_fixed("false", "false");
    } else if (def.type == triage::output_type::enumeration) {
      for (const std::string& member : m.enums[def.enum_index].members) {
        std::string json;
        append_json_string(json, member);
        o.values.add_fixed(std::move(json), member);
      }
    }
    if (def.policy == triage::hit_policy::max || def.policy == triage::hit_policy::min) {
      for (const std::uint32_t r : def.rules) {
        const triage::scalar& v = *m.rules[r].value;
        o.rule_values.push_back(std::holds_alternative<std::int64_t>(v) ? std::get<std::int64_t>(v)
                                                                        : 0);
      }
    }
  }
}

// Counts one evaluated ticket.
void count_decision(const triage::policy& pol, const triage::decision& d,
                    const triage::evaluation_trace& trace, std::string& scratch, log_stats& s) {
  const triage::model& m = pol.model();
  ++s.evaluated;
  for (std::uint32_t i = 0; i < m.outputs.size(); ++i) {
    const triage::output_def& def = m.outputs[i];
    const triage::output_handle h = pol.output_at(i);
    const std::span<const std::uint32_t> matched = trace.matched(h);
    output_stats& o = s.outputs[i];
    if (!matched.empty()) {
      ++o.by_rule;
    } else if (def.default_value) {
      ++o.by_default;
    } else {
      ++o.none;
    }
    for (const std::uint32_t r : matched) ++s.rules[r].matched;

    // The value.
    if (def.policy == triage::hit_policy::collect) {
      const auto ids = d.collected_ids(h);
      const auto texts = d.collected(h);
      for (std::size_t k = 0; k < ids.size(); ++k) {
        if (def.type == triage::output_type::enumeration) {
          ++o.values.count[ids[k]];
        } else {
          scratch.clear();
          append_json_string(scratch, texts[k]);
          // The policy text is only needed (and only made) for a value not seen before.
          o.values.add_seen(scratch,
                            o.values.slot_of.contains(scratch)
                                ? std::string()
                                : triage::value_text(m, triage::scalar(std::string(texts[k]))));
        }
      }
    } else if (def.type == triage::output_type::flag) {
      ++o.values.count[d.flag(h) ? 0 : 1];
    } else if (d.present(h)) {
      if (def.type == triage::output_type::enumeration) {
        ++o.values.count[d.member(h)];
      } else {
        scratch.clear();
        append_output_json(scratch, pol, d, i);
        o.values.add_seen(scratch, o.values.slot_of.contains(scratch)
                                       ? std::string()
                                       : decision_value_text(pol, d, i));
      }
    }

    // The rules that decided it.
    if (matched.empty()) continue;
    switch (def.policy) {
      case triage::hit_policy::first:
      case triage::hit_policy::unique:
        ++s.rules[matched.front()].decided;
        break;
      case triage::hit_policy::max:
      case triage::hit_policy::min: {
        // The first matching rule that produced the winning value.
        const std::int64_t won = def.type == triage::output_type::enumeration
                                     ? static_cast<std::int64_t>(d.member(h))
                                     : d.integer(h);
        std::size_t k = 0;
        for (const std::uint32_t r : matched) {
          while (k < def.rules.size() && def.rules[k] != r) ++k;
          if (k < def.rules.size() && o.rule_values[k] == won) {
            ++s.rules[r].decided;
            break;
          }
        }
        break;
      }
      case triage::hit_policy::any:
      case triage::hit_policy::collect:
      case triage::hit_policy::sum:
        for (const std::uint32_t r : matched) ++s.rules[r].decided;
        break;
    }
  }
}

void count_rejection(log_stats& s, const std::string& message, ticket_ref where) {
  ++s.rejected;
  auto it = s.reason_of.find(message);
  if (it == s.reason_of.end()) {
    if (s.reasons.size() >= max_groups) {
      ++s.unlisted_rejected;
      return;
    }
    it = s.reason_of.emplace(message, s.reasons.size()).first;
    s.reasons.push_back(reason_stats{message, 0, {}});
  }
  reason_stats& r = s.reasons[it->second];
  ++r.count;
  if (r.examples.size() < max_examples) r.examples.push_back(std::move(where));
}

// Reasons in report order: the most frequent first, then by first appearance.
std::vector<const reason_stats*> reasons_in_order(const log_stats& s) {
  std::vector<const reason_stats*> out;
  for (const reason_stats& r : s.reasons) out.push_back(&r);
  std::stable_sort(out.begin(), out.end(), [](const reason_stats* a, const reason_stats* b) {
    return a->count > b->count;
  });
  return out;
}

std::string rule_location(const triage::policy& pol, const triage::rule_def& r) {
  return fmt::format("{}:{}", terminal_text(pol.source().name()),
                     pol.source().line_of(r.where.begin));
}

std::string stats_json(const triage::policy& pol, const log_stats& s) {
  const triage::model& m = pol.model();
  std::string out = "{\"policy\": ";
  append_json_string(out, pol.source().name());
  out += fmt::format(", \"tickets\": {}, \"evaluated\": {}, \"rejected\": {}, \"outputs\": [",
                     s.tickets, s.evaluated, s.rejected);
  for (std::uint32_t i = 0; i < m.outputs.size(); ++i) {
    const triage::output_def& def = m.outputs[i];
    const output_stats& o = s.outputs[i];
    if (i != 0) out += ", ";
    out += "{\"output\": ";
    append_json_string(out, def.name);
    out += ", \"policy\": ";
    append_json_string(out, hit_policy_name(def.policy));
    out += ", \"default\": ";
    out += def.default_value ? scalar_json(m, def, *def.default_value) : "null";
    out += fmt::format(", \"by_rule\": {}, \"by_default\": {}, \"none\": {}, \"values\": [",
                       o.by_rule, o.by_default, o.none);
    bool first = true;
    for (const std::size_t k : o.values.order()) {
      if (!first) out += ", ";
      first = false;
      out += fmt::format("{{\"value\": {}, \"count\": {}}}", o.values.json[k], o.values.count[k]);
    }
    out += fmt::format("], \"unlisted\": {}}}", o.values.unlisted);
  }
  out += "], \"rules\": [";
  for (std::uint32_t r = 0; r < m.rules.size(); ++r) {
    const triage::rule_def& rule = m.rules[r];
    if (r != 0) out += ", ";
    out += "{\"rule\": ";
    append_json_string(out, rule.name);
    out += ", \"output\": ";
    append_json_string(out, m.outputs[rule.output].name);
    out +=
        fmt::format(", \"line\": {}, \"matched\": {}, \"decided\": {}}}",
                    pol.source().line_of(rule.where.begin), s.rules[r].matched, s.rules[r].decided);
  }
  out += "], \"never_matched\": [";
  bool first = true;
  for (std::uint32_t r = 0; r < m.rules.size(); ++r) {
    if (s.rules[r].matched != 0) continue;
    if (!first) out += ", ";
    first = false;
    append_json_string(out, m.rules[r].name);
  }
  out += "], \"never_decided\": [";
  first = true;
  for (std::uint32_t r = 0; r < m.rules.size(); ++r) {
    if (s.rules[r].matched == 0 || s.rules[r].decided != 0) continue;
    if (!first) out += ", ";
    first = false;
    append_json_string(out, m.rules[r].name);
  }
  out += "], \"rejected_reasons\": [";
  first = true;
  for (const reason_stats* r : reasons_in_order(s)) {
    if (!first) out += ", ";
    first = false;
    out += "{\"reason\": ";
    append_json_string(out, r->message);
    out += fmt::format(", \"count\": {}, \"examples\": ", r->count);
    append_examples_json(out, r->examples);
    out += '}';
  }
  out += fmt::format("], \"unlisted_rejected\": {}}}\n", s.unlisted_rejected);
  return out;
}

constexpr std::size_t bar_width = 30;

std::string stats_text(const triage::policy& pol, std::string_view tickets_name,
                       const log_stats& s) {
  const triage::model& m = pol.model();
  std::string out = fmt::format("{} on {}: {} tickets, {} evaluated, {} rejected ({})\n",
                                terminal_text(pol.source().name()), terminal_text(tickets_name),
                                count_text(s.tickets), count_text(s.evaluated),
                                count_text(s.rejected), percent_text(s.rejected, s.tickets));
  const std::uint64_t n = s.evaluated;

  for (std::uint32_t i = 0; i < m.outputs.size(); ++i) {
    const triage::output_def& def = m.outputs[i];
    const output_stats& o = s.outputs[i];
    std::string heading = fmt::format("\n{}  ({}", def.name, hit_policy_name(def.policy));
    if (def.default_value)
      heading += fmt::format(", default {}", scalar_text(m, def, *def.default_value));
    heading +=
        fmt::format(")  by a rule {} ({})", count_text(o.by_rule), percent_text(o.by_rule, n));
    if (def.default_value) {
      heading +=
          fmt::format(", default {} ({})", count_text(o.by_default), percent_text(o.by_default, n));
    } else if (def.policy != triage::hit_policy::any) {
      heading += fmt::format(", no rule {} ({})", count_text(o.none), percent_text(o.none, n));
    }
    out += heading;
    out += '\n';
    text_table table;
    for (const std::size_t k : o.values.order()) {
      table.add({o.values.text[k], count_text(o.values.count[k]),
                 percent_text(o.values.count[k], n), bar_text(o.values.count[k], n, bar_width)});
    }
    // An output that can be absent: show the tickets that got nothing as a row of its own.
    const bool can_be_absent = def.type != triage::output_type::flag &&
                               def.policy != triage::hit_policy::collect &&
                               def.policy != triage::hit_policy::sum && !def.default_value;
    if (can_be_absent && o.none != 0) {
      table.add(
          {"(none)", count_text(o.none), percent_text(o.none, n), bar_text(o.none, n, bar_width)});
    }
    if (o.values.unlisted != 0) {
      table.add({"(other values)", count_text(o.values.unlisted),
                 percent_text(o.values.unlisted, n), bar_text(o.values.unlisted, n, bar_width)});
    }
    table.render(out, "  ", {false, true, true, false});
  }

  out += fmt::format("\nrules  (of {} evaluated tickets)\n", count_text(n));
  text_table rules;
  rules.add({"rule", "output", "matched", "", "decided", ""});
  for (std::uint32_t r = 0; r < m.rules.size(); ++r) {
    const rule_stats& st = s.rules[r];
    rules.add({m.rules[r].name, m.outputs[m.rules[r].output].name, count_text(st.matched),
               percent_text(st.matched, n), count_text(st.decided), percent_text(st.decided, n)});
  }
  rules.render(out, "  ", {false, false, true, true, true, true});

  std::vector<std::uint32_t> dead;
  for (std::uint32_t r = 0; r < m.rules.size(); ++r) {
    if (s.rules[r].matched == 0) dead.push_back(r);
  }
  out +=
      fmt::format("\nnever matched: {}\n", dead.empty() ? "none" : count_of(dead.size(), "rule"));
  for (const std::uint32_t r : dead) {
    out += fmt::format("  {}  ({})\n", m.rules[r].name, rule_location(pol, m.rules[r]));
  }

  // Rules that match but always lose to another rule: dead in practice as well.
  std::vector<std::uint32_t> idle;
  for (std::uint32_t r = 0; r < m.rules.size(); ++r) {
    if (s.rules[r].matched != 0 && s.rules[r].decided == 0) idle.push_back(r);
  }
  if (!idle.empty()) {
    out += fmt::format("\nmatched but never decided: {}\n", count_of(idle.size(), "rule"));
    for (const std::uint32_t r : idle) {
      out += fmt::format("  {}  ({}; matched {} times, another rule always decided)\n",
                         m.rules[r].name, rule_location(pol, m.rules[r]),
                         count_text(s.rules[r].matched));
    }
  }

  out += fmt::format("\nrejected: {}\n", s.rejected == 0 ? "none" : count_of(s.rejected, "ticket"));
  text_table reasons;
  for (const reason_stats* r : reasons_in_order(s)) {
    reasons.add({count_text(r->count),
                 fmt::format("{}  (e.g. {})", r->message, examples_text(r->examples))});
  }
  if (s.unlisted_rejected != 0) reasons.add({count_text(s.unlisted_rejected), "(other reasons)"});
  reasons.render(out, "  ", {true, false});
  return out;
}

int run_stats(const command& self, std::span<const std::string_view> args) {
  static constexpr std::array<option_spec, 2> specs = {{{"--format", true}, {"--id-field", true}}};
  const parsed_args parsed = parse_args(args, specs);
  if (!parsed.error.empty()) return usage_error(self, parsed.error);
  if (parsed.help) {
    print_help(self);
    return exit_ok;
  }
  const std::string_view format = parsed.value("--format").value_or("text");
  if (format != "text" && format != "json") {
    return usage_error(self, fmt::format("unknown format '{}'; expected text or json", format));
  }
  if (parsed.operands.size() < 2) return usage_error(self, "expected a policy and a ticket log");
  if (parsed.operands.size() > 2) return usage_error(self, "too many arguments");
  if (parsed.operands[0] == "-" && parsed.operands[1] == "-") {
    return usage_error(self, "the policy and the tickets cannot both come from standard input");
  }
  const std::shared_ptr<const triage::policy> pol = load_policy(parsed.operands[0]);
  if (!pol) return exit_failure;
  const std::unique_ptr<ticket_log> log = ticket_log::open(parsed.operands[1]);
  if (!log) return exit_failure;

  triage::ticket_decoder decoder{pol, std::string(parsed.value("--id-field").value_or("id"))};
  triage::ticket t{pol};
  triage::decision d{pol};
  triage::evaluation_trace trace;
  log_stats s;
  prepare(*pol, s);
  std::string scratch;
  const std::string too_long = ticket_log::too_long_message();
  progress_line progress{"rulecheck stats"};
  log_line line;
  while (log->next(line)) {
    progress.tick(line.number);
    ++s.tickets;
    if (line.too_long) {
      count_rejection(s, too_long, {"null", line.number});
    } else if (!decoder.decode(line.text, t)) {
      count_rejection(s, decoder.error(), {decoder.id_json(), line.number});
    } else {
      pol->evaluate(t, d, trace);
      count_decision(*pol, d, trace, scratch, s);
    }
  }
  progress.finish();
  if (log->report_error()) return exit_failure;

  write_stdout(format == "json" ? stats_json(*pol, s)
                                : stats_text(*pol, display_name(parsed.operands[1]), s));
  return s.rejected != 0 ? exit_problems : exit_ok;
}

}  // namespace

const command stats_command{
    .name = "stats",
    .summary = "summarise what a policy decides over a ticket log",
    .usage = "rulecheck stats POLICY TICKETS [--format text|json] [--id-field NAME]",
    .help =
        "Decides every ticket of a JSON Lines log (TICKETS, or '-' for standard input) and\n"
        "reports, on stdout:\n"
        "  - per output, how many tickets got each value, and how: by a rule, by the\n"
        "    output's default (no rule matched), or nothing (no rule, no default);\n"
        "  - per rule, how often it matched and how often it decided the result;\n"
        "  - the rules that never matched;\n"
        "  - rejected tickets, grouped by reason, with example ids.\n"
        "Percentages are of the evaluated (not rejected) tickets. The log is streamed:\n"
        "memory does not grow with its length. On a terminal, progress shows on stderr.\n"
        "\n"
        "options:\n"
        "  --format text|json  a readable report (default) or one JSON object\n"
        "  --id-field NAME     the key that identifies a ticket in examples (default: id)\n"
        "  -h, --help          show this help\n"
        "\n"
        "exit status: 0 every ticket evaluated, 1 some ticket was rejected (the report is\n"
        "complete all the same), 2 bad usage, a file that cannot be read or a policy that\n"
        "does not compile\n",
    .run = run_stats,
};

}  // namespace rulecheck
