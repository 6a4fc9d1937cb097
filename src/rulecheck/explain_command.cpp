// rulecheck explain POLICY (--ticket JSON | --ticket-file FILE) — why one ticket got its
// decision: every rule of every output, whether it matched, and what failed if it did not.
//
// Outputs are explained in evaluation order (dependencies first), so that an output a
// later rule tests has already been explained when that rule is shown. The reasons come
// from the decision table: a rule matches when one of its rows does, and a row fails at
// its first cell (in column order) that does not accept the ticket's value.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "cli.hpp"
#include "run_support.hpp"
#include "triage/policy.hpp"

namespace rulecheck {
namespace {

// One failed constraint: `impact == high` failed because impact is `medium`.
struct failed_cell {
  std::string constraint;
  std::string subject;  // empty for a row that can never match
  std::string actual;   // the subject's value as policy text, or "(missing)"
};

// Why one rule did or did not match.
struct rule_reason {
  std::uint32_t rule = 0;
  bool matched = false;
  std::vector<failed_cell> failures;  // one per row (disjunct) of a rule that did not match
};

std::string subject_value_text(const triage::policy& pol, const triage::ticket& t,
                               const triage::decision& d, triage::subject_ref s) {
  if (s.of == triage::subject_ref::kind::field) return ticket_value_text(pol, t, s.index);
  const triage::output_def& def = pol.model().outputs[s.index];
  const bool always_present =
      def.type == triage::output_type::flag || def.policy == triage::hit_policy::collect;
  if (!always_present && !d.present(pol.output_at(s.index))) return "(missing)";
  return decision_value_text(pol, d, s.index);
}

// A cell as a condition a reader recognises: `sla < 2h`, `repeat_client`, `not vip`,
// `sla is missing`.
std::string constraint_text(const triage::policy& pol, const triage::cell& c) {
  const std::string_view subject = triage::subject_name(pol.model(), c.subject);
  std::string text = triage::cell_text(c, pol.model(), pol.table());
  // A flag is never missing: "or missing" says nothing about it.
  const bool flag = c.subject.of == triage::subject_ref::kind::output &&
                    pol.model().outputs[c.subject.index].type == triage::output_type::flag;
  if (flag && text.ends_with(" or missing")) text.resize(text.size() - 11);
  if (text.starts_with("true")) return fmt::format("{}{}", subject, text.substr(4));
  if (text.starts_with("false")) return fmt::format("not {}{}", subject, text.substr(5));
  if (text.starts_with("missing") || text.starts_with("present")) {
    return fmt::format("{} is {}", subject, text);
  }
  return fmt::format("{} {}", subject, text);
}

std::vector<rule_reason> reasons_for(const triage::policy& pol, std::uint32_t output,
                                     const triage::ticket& t, const triage::decision& d,
                                     const triage::evaluation_trace& trace) {
  const triage::model& m = pol.model();
  const triage::output_table& table = pol.table().outputs[output];
  const std::span<const std::uint32_t> matched = trace.matched(pol.output_at(output));
  std::vector<rule_reason> reasons;
  for (const std::uint32_t rule : m.outputs[output].rules) {
    rule_reason reason{.rule = rule,
                       .matched = std::find(matched.begin(), matched.end(), rule) != matched.end(),
                       .failures = {}};
    if (!reason.matched) {
      for (const triage::table_row& row : table.rows) {
        if (row.rule != rule) continue;
        if (row.contradictory) {
          reason.failures.push_back({"the condition can never hold", "", ""});
          continue;
        }
        const triage::cell* failed = nullptr;
        for (const triage::cell& c : row.cells) {
          if (!pol.cell_accepts(c, t, d)) {
            failed = &c;
            break;
          }
        }
        if (failed == nullptr) {
          // Every cell accepts: only a row that can never match gets here.
          reason.failures.push_back({"the condition can never hold", "", ""});
          continue;
        }
        reason.failures.push_back(
            {constraint_text(pol, *failed), std::string(triage::subject_name(m, failed->subject)),
             subject_value_text(pol, t, d, failed->subject)});
      }
      if (reason.failures.empty()) {
        reason.failures.push_back({"the condition can never hold", "", ""});
      }
    }
    reasons.push_back(std::move(reason));
  }
  return reasons;
}

// The rule's condition as written, on one line.
std::string condition_text(const triage::policy& pol, const triage::rule_def& rule) {
  const std::string_view raw = pol.source().text_of(rule.condition.where);
  std::string text;
  bool space = false;
  for (const char c : raw) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !text.empty()) text += ' ';
    space = false;
    text += c;
  }
  return text;
}

std::string explain_text(const triage::policy& pol, const triage::ticket& t,
                         const triage::decision& d, const triage::evaluation_trace& trace) {
  const triage::model& m = pol.model();
  std::string out = fmt::format("ticket: {}\n", t.to_json());
  for (const std::uint32_t output : m.evaluation_order) {
    const triage::output_def& def = m.outputs[output];
    std::string policy_text(hit_policy_name(def.policy));
    if (def.default_value) {
      policy_text += ", default " + triage::value_text(m, *def.default_value, def.enum_index);
    }
    out += fmt::format("\n{} = {}  ({})\n", def.name, decision_value_text(pol, d, output),
                       policy_text);
    bool decided = false;
    const std::vector<rule_reason> reasons = reasons_for(pol, output, t, d, trace);
    for (const rule_reason& r : reasons) {
      const triage::rule_def& rule = m.rules[r.rule];
      if (r.matched) {
        std::string note;
        if (def.policy == triage::hit_policy::first || def.policy == triage::hit_policy::unique) {
          note = decided ? "  (not needed: an earlier rule decided)" : "  (decides)";
        }
        decided = true;
        out += fmt::format("  ✓ {}: {}{}{}\n", rule.name, condition_text(pol, rule),
                           rule.value ? " -> " + triage::value_text(m, *rule.value, def.enum_index)
                                      : std::string(),
                           note);
        continue;
      }
      std::string why;
      for (const failed_cell& f : r.failures) {
        if (!why.empty()) why += "; or ";
        why += f.subject.empty() ? f.constraint
                                 : fmt::format("{}  — {} is {}", f.constraint, f.subject, f.actual);
      }
      out += fmt::format("  ✗ {}: {}\n", rule.name, why);
    }
    if (reasons.empty()) out += "  (no rules)\n";
    if (!decided && def.default_value) {
      out += fmt::format("  no rule matched: the default {}\n",
                         triage::value_text(m, *def.default_value, def.enum_index));
    }
  }
  return out;
}

std::string explain_json(const triage::policy& pol, const triage::ticket& t,
                         const triage::decision& d, const triage::evaluation_trace& trace) {
  const triage::model& m = pol.model();
  std::string out = "{\"ticket\": ";
  out += t.to_json();
  out += ", \"outputs\": [";
  bool first_output = true;
  for (const std::uint32_t output : m.evaluation_order) {
    const triage::output_def& def = m.outputs[output];
    if (!first_output) out += ", ";
    first_output = false;
    out += "{\"output\": ";
    append_json_string(out, def.name);
    out += ", \"policy\": ";
    append_json_string(out, hit_policy_name(def.policy));
    out += ", \"value\": ";
    append_output_json(out, pol, d, output);
    out += ", \"rules\": [";
    bool first_rule = true;
    for (const rule_reason& r : reasons_for(pol, output, t, d, trace)) {
      if (!first_rule) out += ", ";
      first_rule = false;
      out += "{\"rule\": ";
      append_json_string(out, m.rules[r.rule].name);
      out += r.matched ? ", \"matched\": true" : ", \"matched\": false, \"failed\": [";
      if (!r.matched) {
        bool first_failure = true;
        for (const failed_cell& f : r.failures) {
          if (!first_failure) out += ", ";
          first_failure = false;
          out += "{\"condition\": ";
          append_json_string(out, f.constraint);
          if (!f.subject.empty()) {
            out += ", \"subject\": ";
            append_json_string(out, f.subject);
            out += ", \"actual\": ";
            append_json_string(out, f.actual);
          }
          out += '}';
        }
        out += ']';
      }
      out += '}';
    }
    out += "]}";
  }
  out += "]}\n";
  return out;
}

int run_explain(const command& self, std::span<const std::string_view> args) {
  static constexpr std::array<option_spec, 3> specs = {{
      {"--ticket", true},
      {"--ticket-file", true},
      {"--format", true},
  }};
  const parsed_args parsed = parse_args(args, specs);
  if (!parsed.error.empty()) return usage_error(self, parsed.error);
  if (parsed.help) {
    print_help(self);
    return exit_ok;
  }
  if (parsed.operands.empty()) return usage_error(self, "no policy file given");
  if (parsed.operands.size() > 1) return usage_error(self, "too many arguments");
  const auto inline_ticket = parsed.value("--ticket");
  const auto ticket_file = parsed.value("--ticket-file");
  if (inline_ticket.has_value() == ticket_file.has_value()) {
    return usage_error(self, "give the ticket with exactly one of --ticket and --ticket-file");
  }
  bool json = false;
  if (const auto value = parsed.value("--format")) {
    if (*value == "json") {
      json = true;
    } else if (*value != "text") {
      return usage_error(self, fmt::format("unknown format '{}'; expected text or json", *value));
    }
  }

  const std::shared_ptr<const triage::policy> pol = load_policy(parsed.operands[0]);
  if (!pol) return exit_failure;

  std::string ticket_json;
  if (inline_ticket) {
    ticket_json = *inline_ticket;
  } else {
    std::string error;
    std::optional<std::string> text = read_file(*ticket_file, std::size_t{64} << 20, error);
    if (!text) {
      print_error(error);
      return exit_failure;
    }
    ticket_json = std::move(*text);
  }

  triage::ticket_decoder decoder{pol};
  triage::ticket t{pol};
  if (!decoder.decode(ticket_json, t)) {
    print_error(fmt::format("invalid ticket: {}", decoder.error()));
    return exit_problems;
  }
  triage::decision d{pol};
  triage::evaluation_trace trace;
  pol->evaluate(t, d, trace);
  write_stdout(json ? explain_json(*pol, t, d, trace) : explain_text(*pol, t, d, trace));
  return exit_ok;
}

}  // namespace

const command explain_command{
    .name = "explain",
    .summary = "show why a ticket gets its decision, rule by rule",
    .usage = "rulecheck explain POLICY (--ticket JSON | --ticket-file FILE) [--format text|json]",
    .help =
        "Decides one ticket (a JSON object, given inline or in a file; '-' reads standard\n"
        "input) and shows, for every output in evaluation order (the outputs a rule tests\n"
        "come before it), the value and every rule in source order:\n"
        "  priority = P2  (first, default P4)\n"
        "    ✗ p1: impact == high  — impact is medium\n"
        "    ✓ p2: impact >= medium and urgency >= medium -> P2  (decides)\n"
        "A rule that did not match shows the first constraint that failed, per disjunct of\n"
        "its condition, with the ticket's actual value ('(missing)' when it has none).\n"
        "\n"
        "options:\n"
        "  --ticket JSON        the ticket\n"
        "  --ticket-file FILE   a file holding the ticket\n"
        "  --format text|json   text (the default) or one JSON object on stdout\n"
        "  -h, --help           show this help\n"
        "\n"
        "exit status: 0 explained, 1 the ticket is not valid (the reason on stderr), 2 bad\n"
        "usage, a file that cannot be read or a policy that does not compile\n",
    .run = run_explain,
};

}  // namespace rulecheck
