// triage_embed_example — the library embedded the way a help-desk server would use it.
//
//   triage_embed_example POLICY [--poll-ms N] < tickets.jsonl > decisions.jsonl
//
// Compiles the policy once into a `live_policy`, then routes a stream of tickets (JSON
// Lines on stdin) and writes one line per ticket on stdout, tagged with the version of the
// policy that decided it:
//
//   {"id": "T-1001", "version": 1, "decision": {"urgent": false, "priority": "P4", ...}}
//   {"id": "T-1017", "version": 1, "error": "field 'tags': expected an array of strings, ..."}
//
// While it runs it watches the policy file: at most every N milliseconds (default 1000,
// checked between tickets) it compares the file's modification time, and on a change it
// recompiles. A policy that no longer compiles is logged to stderr with its diagnostics
// and the old one keeps serving; nothing is dropped.
#include <triage/triage.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

namespace {

// Appends `text` as a JSON string (the decoder's messages quote user input).
void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

// What one worker needs to evaluate with one version of the policy. Tickets, decisions and
// decoders are bound to their policy, so a reload makes a new set.
struct router {
  explicit router(triage::live_policy::snapshot s)
      : snapshot(std::move(s)), decoder(snapshot.value), ticket(snapshot.value),
        decision(snapshot.value) {}
  triage::live_policy::snapshot snapshot;
  triage::ticket_decoder decoder;
  triage::ticket ticket;
  triage::decision decision;
};

std::filesystem::file_time_type modified(const std::filesystem::path& path) {
  std::error_code ignored;  // a file being replaced may briefly not exist: try again later
  return std::filesystem::last_write_time(path, ignored);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && !(argc == 4 && std::string_view(argv[2]) == "--poll-ms")) {
    std::fputs("usage: triage_embed_example POLICY [--poll-ms N] < tickets.jsonl\n", stderr);
    return 2;
  }
  const std::filesystem::path path = argv[1];
  const auto poll_every = std::chrono::milliseconds(argc == 4 ? std::atol(argv[3]) : 1000);

  triage::live_policy live;
  auto last_modified = modified(path);
  if (const triage::reload_result r = live.reload_from_file(path); !r.ok) {
    std::fputs(triage::render_text(*r.source, r.issues).c_str(), stderr);
    return 2;
  }
  auto route = std::make_unique<router>(live.current_snapshot());
  auto last_poll = std::chrono::steady_clock::now();

  std::ios::sync_with_stdio(false);
  std::string line;
  std::string out;
  while (std::getline(std::cin, line)) {
    if (const auto now = std::chrono::steady_clock::now(); now - last_poll >= poll_every) {
      last_poll = now;
      if (const auto m = modified(path); m != last_modified) {
        last_modified = m;
        const triage::reload_result r = live.reload_from_file(path);
        if (r.ok) {
          route = std::make_unique<router>(live.current_snapshot());
          std::cerr << "reloaded " << path.string() << ": version " << r.version << "\n";
        } else {
          std::cerr << "reload of " << path.string() << " failed; still serving version "
                    << r.version << ":\n"
                    << triage::render_text(*r.source, r.issues);
        }
      }
    }
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;

    out.clear();
    out += "{\"id\": ";
    const bool ok = route->decoder.decode(line, route->ticket);
    out += route->decoder.id_json();
    out += ", \"version\": " + std::to_string(route->snapshot.version);
    if (ok) {
      route->snapshot.value->evaluate(route->ticket, route->decision);
      out += ", \"decision\": ";
      route->decision.append_json(out);
    } else {
      out += ", \"error\": ";
      append_json_string(out, route->decoder.error());
    }
    out += "}\n";
    std::cout << out;
    // Flush only before waiting for input: batches from a file, answers at once on a pipe.
    if (std::cin.rdbuf()->in_avail() == 0) std::cout.flush();
  }
  std::cout.flush();
  return std::cout ? 0 : 2;
}
