// rulecheck table POLICY [--format markdown|csv] — prints the compiled decision tables.
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

// Fields by index, then outputs by index: the order cells are sorted in.
bool subject_less(triage::subject_ref a, triage::subject_ref b) {
  if (a.of != b.of) return a.of == triage::subject_ref::kind::field;
  return a.index < b.index;
}

// A row's name: the rule's, numbered when the rule has several rows (one per disjunct).
std::string row_name(const triage::model& m, const triage::output_table& table,
                     const triage::table_row& row) {
  std::size_t rows_of_rule = 0;
  for (const triage::table_row& r : table.rows) rows_of_rule += r.rule == row.rule ? 1 : 0;
  std::string name = m.rules[row.rule].name;
  if (rows_of_rule > 1) name += fmt::format(" ({}/{})", row.disjunct + 1, rows_of_rule);
  if (row.contradictory) name += " (never matches)";
  return name;
}

// The constraint each column puts on a row: cell_text, or "-" when the row has no cell.
std::vector<std::string> row_cells(const triage::policy& pol, const triage::table_row& row,
                                   std::span<const triage::subject_ref> columns) {
  std::vector<std::string> cells;
  for (const triage::subject_ref s : columns) {
    const auto it = std::find_if(row.cells.begin(), row.cells.end(),
                                 [s](const triage::cell& c) { return c.subject == s; });
    cells.push_back(it == row.cells.end() ? std::string("-")
                                          : triage::cell_text(*it, pol.model(), pol.table()));
  }
  return cells;
}

std::string row_value(const triage::model& m, const triage::output_def& def,
                      const triage::table_row& row) {
  if (!row.value) return "true";  // a flag's rule sets it
  return triage::value_text(m, *row.value, def.enum_index);
}

std::string markdown_cell(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string markdown_line(const std::vector<std::string>& cells) {
  std::string line = "|";
  for (const std::string& c : cells) {
    line += ' ';
    line += markdown_cell(c);
    line += " |";
  }
  line += '\n';
  return line;
}

std::string markdown(const triage::policy& pol) {
  const triage::model& m = pol.model();
  std::string out;
  for (const triage::output_table& table : pol.table().outputs) {
    const triage::output_def& def = m.outputs[table.output];
    if (!out.empty()) out += '\n';
    std::string policy_text(hit_policy_name(table.policy));
    if (table.default_value) {
      policy_text += ", default " + triage::value_text(m, *table.default_value, def.enum_index);
    }
    out += fmt::format("## {} ({})\n\n", def.name, policy_text);
    std::vector<std::string> header{"rule"};
    for (const triage::subject_ref s : table.columns) {
      header.emplace_back(triage::subject_name(m, s));
    }
    header.push_back(fmt::format("{} ({})", def.name, hit_policy_name(table.policy)));
    out += markdown_line(header);
    out += "|";
    for (std::size_t i = 0; i < header.size(); ++i) out += "---|";
    out += "\n";
    for (const triage::table_row& row : table.rows) {
      std::vector<std::string> line{row_name(m, table, row)};
      for (std::string& c : row_cells(pol, row, table.columns)) line.push_back(std::move(c));
      line.push_back(row_value(m, def, row));
      out += markdown_line(line);
    }
    if (table.default_value) {
      std::vector<std::string> line{"(default)"};
      line.resize(1 + table.columns.size(), "-");
      line.push_back(triage::value_text(m, *table.default_value, def.enum_index));
      out += markdown_line(line);
    }
  }
  return out;
}

// RFC 4180: a field holding a comma, a quote or a line break is quoted, quotes doubled.
std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv_line(const std::vector<std::string>& cells) {
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i != 0) line += ',';
    line += csv_field(cells[i]);
  }
  return line + "\n";
}

// One rectangular table for every output, so that a spreadsheet can load it: a column for
// every subject some output tests, `-` where an output's row does not test it.
std::string csv(const triage::policy& pol) {
  const triage::model& m = pol.model();
  std::vector<triage::subject_ref> columns;
  for (const triage::output_table& table : pol.table().outputs) {
    for (const triage::subject_ref s : table.columns) {
      if (std::find(columns.begin(), columns.end(), s) == columns.end()) columns.push_back(s);
    }
  }
  std::sort(columns.begin(), columns.end(), subject_less);

  std::vector<std::string> header{"output", "rule"};
  for (const triage::subject_ref s : columns) header.emplace_back(triage::subject_name(m, s));
  header.emplace_back("hit policy");
  header.emplace_back("value");
  std::string out = csv_line(header);
  for (const triage::output_table& table : pol.table().outputs) {
    const triage::output_def& def = m.outputs[table.output];
    const std::string policy(hit_policy_name(table.policy));
    for (const triage::table_row& row : table.rows) {
      std::vector<std::string> line{def.name, row_name(m, table, row)};
      for (std::string& c : row_cells(pol, row, columns)) line.push_back(std::move(c));
      line.push_back(policy);
      line.push_back(row_value(m, def, row));
      out += csv_line(line);
    }
    if (table.default_value) {
      std::vector<std::string> line{def.name, "(default)"};
      line.resize(2 + columns.size(), "-");
      line.push_back(policy);
      line.push_back(triage::value_text(m, *table.default_value, def.enum_index));
      out += csv_line(line);
    }
  }
  return out;
}

int run_table(const command& self, std::span<const std::string_view> args) {
  static constexpr std::array<option_spec, 1> specs = {{{"--format", true}}};
  const parsed_args parsed = parse_args(args, specs);
  if (!parsed.error.empty()) return usage_error(self, parsed.error);
  if (parsed.help) {
    print_help(self);
    return exit_ok;
  }
  if (parsed.operands.empty()) return usage_error(self, "no policy file given");
  if (parsed.operands.size() > 1) return usage_error(self, "too many arguments");
  bool as_csv = false;
  if (const auto value = parsed.value("--format")) {
    if (*value == "csv") {
      as_csv = true;
    } else if (*value != "markdown") {
      return usage_error(self,
                         fmt::format("unknown format '{}'; expected markdown or csv", *value));
    }
  }
  const std::shared_ptr<const triage::policy> pol = load_policy(parsed.operands[0]);
  if (!pol) return exit_failure;
  write_stdout(as_csv ? csv(*pol) : markdown(*pol));
  return exit_ok;
}

}  // namespace

const command table_command{
    .name = "table",
    .summary = "print a policy's compiled decision tables",
    .usage = "rulecheck table POLICY [--format markdown|csv]",
    .help =
        "Prints the decision table of every output, in declaration order: a row per rule,\n"
        "or per disjunct of a rule whose condition has 'or' (named 'RULE (1/2)', ...), a\n"
        "column per field or output the rows test, each cell the constraint on it ('-' for\n"
        "any), then the value the rule gives; a '(default)' row ends an output that has one.\n"
        "\n"
        "options:\n"
        "  --format markdown  one table per output under a '## OUTPUT (POLICY)' heading,\n"
        "                     the hit policy also in the value column's header (default)\n"
        "  --format csv       one CSV table (RFC 4180 quoting) for all outputs: columns\n"
        "                     output, rule, every subject tested, hit policy, value\n"
        "  -h, --help         show this help\n"
        "\n"
        "exit status: 0 printed, 2 bad usage, a file that cannot be read or a policy that\n"
        "does not compile (its diagnostics on stderr)\n",
    .run = run_table,
};

}  // namespace rulecheck
