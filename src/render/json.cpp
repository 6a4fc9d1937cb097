// The machine forms: JSON Lines (one object a finding) and SARIF 2.1.0.
#include <fmt/format.h>

#include <array>
#include <string>

#include "render/json_writer.hpp"
#include "render/locate.hpp"
#include "triage/render.hpp"
#include "triage/version.hpp"

namespace triage {
namespace {

// An example ticket is embedded as the JSON object the analysis produced.
void write_example(detail::json_writer& json, const diagnostic& d) {
  if (d.example_json.empty()) {
    json.null();
  } else {
    json.raw(d.example_json);
  }
}

// SARIF wants a URI: a relative reference for relative paths, file:// for absolute ones,
// with every byte outside RFC 3986's unreserved set (and '/') percent-encoded.
[[nodiscard]] std::string to_uri(std::string_view path) {
  std::string uri = path.starts_with('/') ? "file://" : "";
  for (const char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    const bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
                            (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' ||
                            c == '~' || c == '/';
    if (unreserved) {
      uri += c;
    } else {
      uri += fmt::format("%{:02X}", byte);
    }
  }
  return uri;
}

void write_physical_location(detail::json_writer& json, const source_file& source, span where) {
  const position begin = source.position_of(where.begin);
  // SARIF regions may span lines, so the end is the span's true end.
  const position end = where.end > where.begin ? source.position_of(where.end) : begin;
  json.key("physicalLocation").begin_object();
  json.key("artifactLocation").begin_object().key("uri").string(to_uri(source.name()));
  json.end_object();
  json.key("region").begin_object();
  json.key("startLine").number(begin.line).key("startColumn").number(begin.column);
  json.key("endLine").number(end.line).key("endColumn").number(end.column);
  json.end_object();
  json.end_object();
}

constexpr std::size_t code_count = static_cast<std::size_t>(diagnostic_code::analysis_budget) + 1;

}  // namespace

std::string render_json_lines(const source_file& source, const diagnostics& issues) {
  std::string out;
  for (const diagnostic& d : issues) {
    const detail::line_range range = detail::first_line_range(source, d.where);
    detail::json_writer json(false);
    json.begin_object();
    json.key("file").string(source.name());
    json.key("line").number(range.begin.line);
    json.key("column").number(range.begin.column);
    json.key("end_column").number(range.end_column);
    json.key("severity").string(severity_name(d.level));
    json.key("code").string(code_name(d.code));
    json.key("message").string(d.message);
    json.key("notes").begin_array();
    for (const diagnostic_note& note : d.notes) {
      const position at = source.position_of(note.where.begin);
      json.begin_object();
      json.key("file").string(source.name());
      json.key("line").number(at.line).key("column").number(at.column);
      json.key("message").string(note.message);
      json.end_object();
    }
    json.end_array();
    json.key("example");
    write_example(json, d);
    json.end_object();
    out += json.str();
    out += '\n';
  }
  return out;
}

std::string render_sarif(std::span<const file_diagnostics> files) {
  // tool.driver.rules lists the codes used; results point into it by ruleIndex.
  std::array<bool, code_count> used{};
  for (const file_diagnostics& file : files) {
    for (const diagnostic& d : *file.issues) used[static_cast<std::size_t>(d.code)] = true;
  }
  std::array<std::size_t, code_count> rule_index{};
  std::size_t rules = 0;
  for (std::size_t code = 0; code < code_count; ++code) {
    if (used[code]) rule_index[code] = rules++;
  }

  detail::json_writer json(true);
  json.begin_object();
  json.key("$schema").string("https://json.schemastore.org/sarif-2.1.0.json");
  json.key("version").string("2.1.0");
  json.key("runs").begin_array().begin_object();

  json.key("tool").begin_object().key("driver").begin_object();
  json.key("name").string("rulecheck");
  json.key("version").string(TRIAGE_VERSION_STRING);
  json.key("rules").begin_array();
  for (std::size_t code = 0; code < code_count; ++code) {
    if (!used[code]) continue;
    const auto c = static_cast<diagnostic_code>(code);
    json.begin_object();
    json.key("id").string(code_name(c));
    json.key("defaultConfiguration").begin_object();
    json.key("level").string(severity_name(default_severity(c)));
    json.end_object();
    json.end_object();
  }
  json.end_array();
  json.end_object().end_object();  // driver, tool

  json.key("columnKind").string("unicodeCodePoints");
  json.key("results").begin_array();
  for (const file_diagnostics& file : files) {
    for (const diagnostic& d : *file.issues) {
      json.begin_object();
      json.key("ruleId").string(code_name(d.code));
      json.key("ruleIndex").number(rule_index[static_cast<std::size_t>(d.code)]);
      json.key("level").string(severity_name(d.level));
      json.key("message").begin_object().key("text").string(d.message).end_object();
      json.key("locations").begin_array().begin_object();
      write_physical_location(json, *file.source, d.where);
      json.end_object().end_array();
      if (!d.notes.empty()) {
        json.key("relatedLocations").begin_array();
        for (std::size_t i = 0; i < d.notes.size(); ++i) {
          json.begin_object();
          json.key("id").number(i);
          write_physical_location(json, *file.source, d.notes[i].where);
          json.key("message").begin_object().key("text").string(d.notes[i].message);
          json.end_object();
          json.end_object();
        }
        json.end_array();
      }
      if (!d.example_json.empty()) {
        json.key("properties").begin_object().key("example");
        write_example(json, d);
        json.end_object();
      }
      json.end_object();
    }
  }
  json.end_array();

  json.end_object().end_array();  // the run, runs
  json.end_object();
  return json.str() + '\n';
}

}  // namespace triage
