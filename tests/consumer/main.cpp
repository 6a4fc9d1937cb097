// Parses and checks a small policy through triage's public API and prints the version.
#include <cstdio>
#include <triage/check.hpp>
#include <triage/render.hpp>
#include <triage/version.hpp>

int main() {
  const triage::source_file source{"consumer.rules",
                                   "field urgency: enum { low, high } required\n"
                                   "output urgent: flag\n"
                                   "urgent if urgency == high\n"};
  const triage::check_result result = triage::parse_and_check(source);
  std::fputs(triage::render_text(source, result.issues).c_str(), stdout);
  std::printf("triage %s: %s, %zu rule(s)\n", triage::version(), result.ok() ? "ok" : "errors",
              result.ok() ? result.value->rules.size() : std::size_t{0});
  return result.ok() ? 0 : 1;
}
