// rulecheck diff OLD NEW TICKETS — what changing a policy would change: both versions
// decide the same ticket log, and every output's changed decisions are counted per
// transition (from → to), with a few example tickets each.
//
// Streams the log in constant memory: counters are per transition, capped at `max_groups`
// per output, with at most `max_examples` examples each.
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

// A rejected ticket's side of a transition. Decisions are never JSON objects, so this
// cannot be mistaken for a value.
constexpr std::string_view rejected_json = "{\"rejected\": true}";
constexpr std::string_view rejected_text = "(rejected)";

struct transition {
  std::string from_json, to_json;
  std::string from_text, to_text;
  std::uint64_t count = 0;
  std::vector<ticket_ref> examples;
};

// One output name, as the two versions have it.
struct output_diff {
  std::string name;
  std::uint32_t old_index = triage::no_index;
  std::uint32_t new_index = triage::no_index;
  std::uint64_t changed = 0;
  std::vector<transition> transitions;
  std::unordered_map<std::string, std::size_t> slot_of;  // from_json + '\n' + to_json
  std::uint64_t unlisted = 0;  // changes past `max_groups` distinct transitions

  [[nodiscard]] bool in_both() const noexcept {
    return old_index != triage::no_index && new_index != triage::no_index;
  }
  [[nodiscard]] std::string_view where() const noexcept {
    return in_both() ? "both" : old_index != triage::no_index ? "old" : "new";
  }
};

// One version of the policy and its state for the current ticket.
struct side {
  std::shared_ptr<const triage::policy> pol;
  triage::ticket_decoder decoder;
  triage::ticket t;
  triage::decision d;
  bool ok = false;

  explicit side(std::shared_ptr<const triage::policy> p, std::string id_field)
      : pol(p), decoder(p, std::move(id_field)), t(p), d(p) {}
};

// An output's value as JSON, `collect` lists sorted: a reordering of rules that lists the
// same values in another order is not a change (tests compare them as sets too).
void value_json(const side& s, std::uint32_t output, std::vector<std::string_view>& items,
                std::string& out) {
  out.clear();
  if (!s.ok) {
    out = rejected_json;
    return;
  }
  const triage::output_def& def = s.pol->model().outputs[output];
  if (def.policy != triage::hit_policy::collect) {
    append_output_json(out, *s.pol, s.d, output);
    return;
  }
  const auto values = s.d.collected(s.pol->output_at(output));
  items.assign(values.begin(), values.end());
  std::sort(items.begin(), items.end());
  out += '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i != 0) out += ", ";
    append_json_string(out, items[i]);
  }
  out += ']';
}

// The same value as policy text, for the report.
std::string value_text(const side& s, std::uint32_t output) {
  if (!s.ok) return std::string(rejected_text);
  const triage::model& m = s.pol->model();
  const triage::output_def& def = m.outputs[output];
  const triage::output_handle h = s.pol->output_at(output);
  if (def.policy == triage::hit_policy::collect) {
    const auto values = s.d.collected(h);
    std::vector<std::string_view> items(values.begin(), values.end());
    std::sort(items.begin(), items.end());
    std::string text = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i != 0) text += ", ";
      text += def.type == triage::output_type::string
                  ? triage::value_text(m, triage::scalar(std::string(items[i])))
                  : std::string(items[i]);
    }
    return text + "]";
  }
  if (def.type != triage::output_type::flag && !s.d.present(h)) return "(none)";
  return decision_value_text(*s.pol, s.d, output);
}

struct diff_result {
  std::uint64_t tickets = 0;          // non-blank lines
  std::uint64_t changed_tickets = 0;  // some output's decision differs
  std::uint64_t rejected_both = 0;
  std::uint64_t rejected_old_only = 0;
  std::uint64_t rejected_new_only = 0;
  std::vector<output_diff> outputs;

  [[nodiscard]] bool any_change() const {
    if (changed_tickets != 0) return true;
    return std::any_of(outputs.begin(), outputs.end(),
                       [](const output_diff& o) { return !o.in_both(); });
  }
};

// The outputs of both versions: OLD's in declaration order, then those only NEW has.
std::vector<output_diff> match_outputs(const triage::policy& old_pol,
                                       const triage::policy& new_pol) {
  std::vector<output_diff> out;
  const auto& old_outputs = old_pol.model().outputs;
  const auto& new_outputs = new_pol.model().outputs;
  for (std::uint32_t i = 0; i < old_outputs.size(); ++i) {
    output_diff o;
    o.name = old_outputs[i].name;
    o.old_index = i;
    if (const triage::output_handle h = new_pol.output(o.name)) o.new_index = h.index();
    out.push_back(std::move(o));
  }
  for (std::uint32_t i = 0; i < new_outputs.size(); ++i) {
    if (old_pol.output(new_outputs[i].name)) continue;
    output_diff o;
    o.name = new_outputs[i].name;
    o.new_index = i;
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<const transition*> transitions_in_order(const output_diff& o) {
  std::vector<const transition*> out;
  for (const transition& t : o.transitions) out.push_back(&t);
  std::stable_sort(out.begin(), out.end(),
                   [](const transition* a, const transition* b) { return a->count > b->count; });
  return out;
}

std::string diff_json(const triage::policy& old_pol, const triage::policy& new_pol,
                      const diff_result& r) {
  std::string out = "{\"old\": ";
  append_json_string(out, old_pol.source().name());
  out += ", \"new\": ";
  append_json_string(out, new_pol.source().name());
  out += fmt::format(
      ", \"tickets\": {}, \"changed\": {}, \"rejected\": {{\"both\": {}, \"old_only\": {}, "
      "\"new_only\": {}}}, \"outputs\": [",
      r.tickets, r.changed_tickets, r.rejected_both, r.rejected_old_only, r.rejected_new_only);
  bool first_output = true;
  for (const output_diff& o : r.outputs) {
    if (!first_output) out += ", ";
    first_output = false;
    out += "{\"output\": ";
    append_json_string(out, o.name);
    out +=
        fmt::format(", \"in\": \"{}\", \"changed\": {}, \"transitions\": [", o.where(), o.changed);
    bool first = true;
    for (const transition* t : transitions_in_order(o)) {
      if (!first) out += ", ";
      first = false;
      out += fmt::format("{{\"from\": {}, \"to\": {}, \"count\": {}, \"examples\": ", t->from_json,
                         t->to_json, t->count);
      append_examples_json(out, t->examples);
      out += '}';
    }
    out += fmt::format("], \"unlisted\": {}}}", o.unlisted);
  }
  out += "]}\n";
  return out;
}

std::string diff_text(const triage::policy& old_pol, const triage::policy& new_pol,
                      std::string_view tickets_name, const diff_result& r) {
  std::string out = fmt::format(
      "{} → {} on {}: {} tickets, {} changed ({})\n", terminal_text(old_pol.source().name()),
      terminal_text(new_pol.source().name()), terminal_text(tickets_name), count_text(r.tickets),
      count_text(r.changed_tickets), percent_text(r.changed_tickets, r.tickets));
  const std::uint64_t rejected = r.rejected_both + r.rejected_old_only + r.rejected_new_only;
  if (rejected != 0) {
    out += fmt::format("rejected: {} by both, {} by old only, {} by new only\n",
                       count_text(r.rejected_both), count_text(r.rejected_old_only),
                       count_text(r.rejected_new_only));
  }
  // Outputs with changes first, each with its transitions; then one line each for the
  // unchanged outputs and those only one version has, so the changes stand out.
  std::vector<std::string_view> unchanged;
  std::vector<std::string_view> only_old;
  std::vector<std::string_view> only_new;
  for (const output_diff& o : r.outputs) {
    if (!o.in_both()) {
      (o.old_index != triage::no_index ? only_old : only_new).push_back(o.name);
      continue;
    }
    if (o.changed == 0) {
      unchanged.push_back(o.name);
      continue;
    }
    out += fmt::format("\n{}: {} changed ({})\n", o.name, count_text(o.changed),
                       percent_text(o.changed, r.tickets));
    text_table table;
    for (const transition* t : transitions_in_order(o)) {
      table.add({t->from_text, "→", t->to_text, count_text(t->count),
                 "e.g. " + examples_text(t->examples)});
    }
    if (o.unlisted != 0) table.add({"(other changes)", "", "", count_text(o.unlisted), ""});
    table.render(out, "  ", {false, false, false, true, false});
  }
  bool first_list = true;
  const auto list = [&](std::string_view what, const std::vector<std::string_view>& names) {
    if (names.empty()) return;
    if (first_list) out += '\n';
    first_list = false;
    out += fmt::format("{}: {}", what, names.front());
    for (std::size_t i = 1; i < names.size(); ++i) out += fmt::format(", {}", names[i]);
    out += '\n';
  };
  list("unchanged", unchanged);
  list("only in " + terminal_text(old_pol.source().name()), only_old);
  list("only in " + terminal_text(new_pol.source().name()), only_new);
  return out;
}

int run_diff(const command& self, std::span<const std::string_view> args) {
  static constexpr std::array<option_spec, 3> specs = {
      {{"--format", true}, {"--id-field", true}, {"--exit-code", false}}};
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
  if (parsed.operands.size() < 3) {
    return usage_error(self, "expected an old policy, a new policy and a ticket log");
  }
  if (parsed.operands.size() > 3) return usage_error(self, "too many arguments");
  if (std::count(parsed.operands.begin(), parsed.operands.end(), "-") > 1) {
    return usage_error(self, "only one of the files can come from standard input");
  }
  const std::shared_ptr<const triage::policy> old_pol = load_policy(parsed.operands[0]);
  if (!old_pol) return exit_failure;
  const std::shared_ptr<const triage::policy> new_pol = load_policy(parsed.operands[1]);
  if (!new_pol) return exit_failure;
  const std::unique_ptr<ticket_log> log = ticket_log::open(parsed.operands[2]);
  if (!log) return exit_failure;

  const std::string id_field(parsed.value("--id-field").value_or("id"));
  side old_side{old_pol, id_field};
  side new_side{new_pol, id_field};
  diff_result r;
  r.outputs = match_outputs(*old_pol, *new_pol);
  std::string old_json;
  std::string new_json;
  std::string key;
  std::vector<std::string_view> items;
  progress_line progress{"rulecheck diff"};
  log_line line;
  while (log->next(line)) {
    progress.tick(line.number);
    ++r.tickets;
    if (line.too_long) {
      ++r.rejected_both;  // the same line for both versions: not a change
      continue;
    }
    old_side.ok = old_side.decoder.decode(line.text, old_side.t);
    new_side.ok = new_side.decoder.decode(line.text, new_side.t);
    if (!old_side.ok && !new_side.ok) {
      ++r.rejected_both;
      continue;
    }
    if (!old_side.ok) ++r.rejected_old_only;
    if (!new_side.ok) ++r.rejected_new_only;
    if (old_side.ok) old_pol->evaluate(old_side.t, old_side.d);
    if (new_side.ok) new_pol->evaluate(new_side.t, new_side.d);

    bool ticket_changed = false;
    for (output_diff& o : r.outputs) {
      if (!o.in_both()) continue;
      value_json(old_side, o.old_index, items, old_json);
      value_json(new_side, o.new_index, items, new_json);
      if (old_json == new_json) continue;
      ticket_changed = true;
      ++o.changed;
      key.assign(old_json).append(1, '\n').append(new_json);
      auto it = o.slot_of.find(key);
      if (it == o.slot_of.end()) {
        if (o.transitions.size() >= max_groups) {
          ++o.unlisted;
          continue;
        }
        it = o.slot_of.emplace(key, o.transitions.size()).first;
        o.transitions.push_back(transition{old_json,
                                           new_json,
                                           value_text(old_side, o.old_index),
                                           value_text(new_side, o.new_index),
                                           0,
                                           {}});
      }
      transition& t = o.transitions[it->second];
      ++t.count;
      if (t.examples.size() < max_examples) {
        // The id as the version that could read the ticket saw it.
        const std::string& id =
            old_side.ok ? old_side.decoder.id_json() : new_side.decoder.id_json();
        t.examples.push_back(ticket_ref{id, line.number});
      }
    }
    if (ticket_changed) ++r.changed_tickets;
  }
  progress.finish();
  if (log->report_error()) return exit_failure;

  write_stdout(format == "json"
                   ? diff_json(*old_pol, *new_pol, r)
                   : diff_text(*old_pol, *new_pol, display_name(parsed.operands[2]), r));
  return parsed.has("--exit-code") && r.any_change() ? exit_problems : exit_ok;
}

}  // namespace

const command diff_command{
    .name = "diff",
    .summary = "compare what two versions of a policy decide on a ticket log",
    .usage = "rulecheck diff OLD NEW TICKETS [--exit-code] [--format text|json] [--id-field NAME]",
    .help =
        "Decides every ticket of a JSON Lines log (TICKETS, or '-' for standard input) with\n"
        "both versions of a policy and reports, on stdout, per output, how many decisions\n"
        "change and each change from -> to, with its count and example tickets. Outputs are\n"
        "compared by their JSON value ('collect' lists as sets); an output only one version\n"
        "has is reported as such. A ticket one version rejects and the other decides changes\n"
        "every output, from or to '(rejected)'; one both reject is counted, not compared.\n"
        "The log is streamed: memory does not grow with its length.\n"
        "\n"
        "options:\n"
        "  --exit-code         exit with 1 when anything changes (a decision, a rejection,\n"
        "                      an output added or removed), for CI gates\n"
        "  --format text|json  a readable report (default) or one JSON object\n"
        "  --id-field NAME     the key that identifies a ticket in examples (default: id)\n"
        "  -h, --help          show this help\n"
        "\n"
        "exit status: 0 the comparison ran (and, with --exit-code, nothing changed), 1 with\n"
        "--exit-code, something changed, 2 bad usage, a file that cannot be read or a policy\n"
        "that does not compile\n",
    .run = run_diff,
};

}  // namespace rulecheck
