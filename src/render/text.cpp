// The text form: GCC's layout (location, severity, message; source line; caret line).
#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "render/escape.hpp"
#include "render/locate.hpp"
#include "triage/render.hpp"

namespace triage {
namespace {

constexpr std::string_view bold = "\x1b[1m";
constexpr std::string_view reset = "\x1b[0m";

[[nodiscard]] std::string_view colour_of(severity level) noexcept {
  switch (level) {
    case severity::error:
      return "\x1b[1;31m";  // bold red
    case severity::warning:
      return "\x1b[1;35m";  // bold magenta
    case severity::note:
      return "\x1b[1;36m";  // bold cyan
  }
  return bold;
}

// A line longer than this many columns is shown as a window around the span, so one
// diagnostic on a minified multi-megabyte line does not print megabytes.
constexpr std::uint32_t max_shown_columns = 240;
// How much of the line before the span such a window keeps.
constexpr std::uint32_t window_lead = 40;
constexpr std::string_view ellipsis = "...";

// The line-number field is as wide as GCC makes it (5) or as the number needs.
[[nodiscard]] std::size_t gutter_width(std::uint32_t line) {
  return std::max<std::size_t>(5, fmt::formatted_size("{}", line));
}

void append_header(std::string& out, const source_file& source, position at, severity level,
                   std::string_view label, std::string_view message, bool color) {
  if (color) out += bold;
  detail::append_terminal_text(out, source.name());
  out += fmt::format(":{}:{}:", at.line, at.column);
  if (color) out += reset;
  out += ' ';
  if (color) out += colour_of(level);
  out += label;
  out += ':';
  if (color) out += reset;
  out += ' ';
  detail::append_terminal_text(out, message);
  out += '\n';
}

// Appends the source line holding the span's start and a caret line under the span.
// Returns the gutter width used, for lines that align with the gutter's bar.
std::size_t append_snippet(std::string& out, const source_file& source, span where, severity level,
                           bool color) {
  const detail::line_range range = detail::first_line_range(source, where);
  const std::string_view line = source.line_text(range.begin.line);
  const std::uint32_t columns = detail::column_count(line);

  std::uint32_t first_shown = 1;
  if (columns > max_shown_columns && range.begin.column > window_lead) {
    first_shown = range.begin.column - window_lead;
  }
  const std::uint32_t end_shown = first_shown + max_shown_columns;  // exclusive

  std::string shown;
  std::size_t pad = 0;        // display width before the span
  std::size_t underline = 0;  // display width of the span
  if (first_shown > 1) {
    shown += ellipsis;
    pad += ellipsis.size();
  }
  bool cut_at_end = false;
  detail::utf8_cells cells(line);
  detail::utf8_cell cell;
  std::uint32_t lead_bytes_before = 0;
  while (cells.next(cell)) {
    // The column source_file gives this cell: 1 + the lead bytes before it.
    const std::uint32_t column = 1 + lead_bytes_before;
    if ((static_cast<unsigned char>(cell.bytes[0]) & 0xC0u) != 0x80u) ++lead_bytes_before;
    if (column < first_shown) continue;
    if (column >= end_shown) {
      cut_at_end = true;
      break;
    }
    std::size_t width = 0;
    if (cell.code_point == '\t') {
      shown += ' ';  // one column, as the caret counts it
      width = 1;
    } else if (const std::string escaped = detail::terminal_escape(cell.code_point);
               !escaped.empty()) {
      shown += escaped;
      width = escaped.size();
    } else {
      detail::append_utf8(shown, cell.code_point);
      width = detail::terminal_width(cell.code_point);
    }
    if (cell.trailing_garbage) {
      detail::append_utf8(shown, detail::replacement_character);
      ++width;
    }
    if (column < range.begin.column) {
      pad += width;
    } else if (column < range.end_column) {
      underline += width;
    }
  }
  if (cut_at_end) shown += ellipsis;

  const std::size_t gutter = gutter_width(range.begin.line);
  out += fmt::format("{:>{}} |", range.begin.line, gutter);
  if (!shown.empty()) {
    out += ' ';
    out += shown;
  }
  out += '\n';
  out += fmt::format("{:>{}} | {:>{}}", "", gutter, "", pad);
  if (color) out += colour_of(level);
  out += '^';
  if (underline > 1) out.append(underline - 1, '~');
  if (color) out += reset;
  out += '\n';
  return gutter;
}

}  // namespace

std::string render_text(const source_file& source, const diagnostics& issues,
                        const render_options& options) {
  std::string out;
  for (const diagnostic& d : issues) {
    const std::string label = fmt::format("{}[{}]", severity_name(d.level), code_name(d.code));
    append_header(out, source, source.position_of(d.where.begin), d.level, label, d.message,
                  options.color);
    const std::size_t gutter = append_snippet(out, source, d.where, d.level, options.color);
    if (!d.example_json.empty()) {
      out += fmt::format("{:>{}} = example ticket: ", "", gutter);
      detail::append_terminal_text(out, d.example_json);
      out += '\n';
    }
    for (const diagnostic_note& note : d.notes) {
      append_header(out, source, source.position_of(note.where.begin), severity::note, "note",
                    note.message, options.color);
      append_snippet(out, source, note.where, severity::note, options.color);
    }
  }
  return out;
}

}  // namespace triage
