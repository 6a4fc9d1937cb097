// rulecheck eval POLICY [TICKETS] — decides every ticket of a JSON Lines stream.
//
// Streams in constant memory: input is read through a fixed buffer (line_reader) and
// output is written in blocks (buffered_output), flushed whenever the next read may wait,
// so a pipe used interactively gets each answer at once. With --jobs N, batches of lines
// are decided on N threads and written in input order (parallel_decider).
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cli.hpp"
#include "run_support.hpp"
#include "triage/policy.hpp"

namespace rulecheck {
namespace {

// More threads than this only add contention on the output.
constexpr unsigned max_jobs = 256;

bool is_blank(std::string_view line) noexcept {
  return line.find_first_not_of(" \t\r\f\v") == std::string_view::npos;
}

void append_error_line(std::string& out, std::string_view id_json, std::uint64_t line,
                       std::string_view message) {
  out += "{\"id\": ";
  out += id_json;
  out += fmt::format(", \"line\": {}, \"error\": ", line);
  append_json_string(out, message);
  out += "}\n";
}

void append_trace(std::string& out, const triage::policy& pol,
                  const triage::evaluation_trace& trace) {
  const triage::model& m = pol.model();
  out += ", \"rules\": {";
  for (std::uint32_t i = 0; i < m.outputs.size(); ++i) {
    if (i != 0) out += ", ";
    append_json_string(out, m.outputs[i].name);
    out += ": [";
    bool first = true;
    for (const std::uint32_t rule : trace.matched(pol.output_at(i))) {
      if (!first) out += ", ";
      first = false;
      append_json_string(out, m.rules[rule].name);
    }
    out += ']';
  }
  out += '}';
}

// Decides one line: a JSON line (decision or error) appended to `out`. One per thread.
class line_decider {
 public:
  line_decider(std::shared_ptr<const triage::policy> pol, const std::string& id_field, bool tracing,
               const triage::ticket_limits& lim)
      : pol_(pol), decoder_(pol, id_field, lim), ticket_(pol), decision_(pol), tracing_(tracing),
        max_line_bytes_(lim.max_line_bytes) {}

  // Appends the answer for input line `number` (`too_long`: it was not stored); returns
  // false when the line was rejected.
  bool decide(std::string_view line, std::uint64_t number, bool too_long, std::string& out) {
    if (too_long) {
      append_error_line(out, "null", number, too_long_message(max_line_bytes_));
      return false;
    }
    if (!decoder_.decode(line, ticket_)) {
      append_error_line(out, decoder_.id_json(), number, decoder_.error());
      return false;
    }
    if (tracing_) {
      pol_->evaluate(ticket_, decision_, trace_);
    } else {
      pol_->evaluate(ticket_, decision_);
    }
    out += "{\"id\": ";
    out += decoder_.id_json();
    out += ", \"decision\": ";
    append_decision_json(out, *pol_, decision_);
    if (tracing_) append_trace(out, *pol_, trace_);
    out += "}\n";
    return true;
  }

 private:
  std::shared_ptr<const triage::policy> pol_;
  triage::ticket_decoder decoder_;
  triage::ticket ticket_;
  triage::decision decision_;
  triage::evaluation_trace trace_;
  bool tracing_;
  std::size_t max_line_bytes_;
};

// `eval --jobs N`: the main thread reads lines into batches and writes the answers; N
// workers decide whole batches. Batches are written in the order they were read, so the
// output is the same as with one job. At most 2N batches are in flight (each about
// `batch_bytes` of input, or one longer line), so memory stays flat. Before a read that may
// wait, every batch read so far is finished and written: an interactive pipe still sees
// each answer at once.
class parallel_decider {
 public:
  parallel_decider(unsigned jobs, const std::function<std::unique_ptr<line_decider>()>& make,
                   buffered_output& out)
      : out_(out), max_in_flight_(2 * jobs) {
    workers_.reserve(jobs);
    for (unsigned i = 0; i < jobs; ++i) {
      workers_.emplace_back([this, decider = make()] { work(*decider); });
    }
  }
  parallel_decider(const parallel_decider&) = delete;
  parallel_decider& operator=(const parallel_decider&) = delete;
  ~parallel_decider() {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_ready_.notify_all();
    for (std::thread& w : workers_) w.join();
  }

  // Queues one line (copied) for deciding.
  void add(std::string_view line, std::uint64_t number, bool too_long) {
    if (!filling_) filling_ = take_free_batch();
    batch& b = *filling_;
    b.lines.push_back({number, b.input.size(), line.size(), too_long});
    b.input.append(line);
    if (b.input.size() >= batch_bytes || b.lines.size() >= batch_lines) submit();
  }

  // Finishes and writes every line queued so far.
  void drain() {
    submit();
    while (!in_flight_.empty()) write_front();
  }

  [[nodiscard]] bool rejected() const noexcept { return rejected_; }

 private:
  static constexpr std::size_t batch_bytes = std::size_t{64} << 10;
  static constexpr std::size_t batch_lines = 256;

  struct queued_line {
    std::uint64_t number;
    std::size_t begin, size;
    bool too_long;
  };
  struct batch {
    std::string input;
    std::vector<queued_line> lines;
    std::string output;
    bool rejected = false;
    bool done = false;
  };

  std::unique_ptr<batch> take_free_batch() {
    if (free_.empty()) return std::make_unique<batch>();
    std::unique_ptr<batch> b = std::move(free_.back());
    free_.pop_back();
    b->input.clear();
    b->lines.clear();
    b->output.clear();
    b->rejected = false;
    b->done = false;
    return b;
  }

  void submit() {
    if (!filling_) return;
    while (in_flight_.size() >= max_in_flight_) write_front();
    batch* b = filling_.get();
    {
      const std::lock_guard lock(mutex_);
      in_flight_.push_back(std::move(filling_));
      queue_.push_back(b);
    }
    work_ready_.notify_one();
  }

  // Waits for the oldest batch in flight, writes its answers and recycles it.
  void write_front() {
    std::unique_ptr<batch> b;
    {
      std::unique_lock lock(mutex_);
      batch_done_.wait(lock, [&] { return in_flight_.front()->done; });
      b = std::move(in_flight_.front());
      in_flight_.pop_front();
    }
    rejected_ = rejected_ || b->rejected;
    out_.text() += b->output;
    out_.maybe_flush();
    free_.push_back(std::move(b));
  }

  void work(line_decider& decider) {
    for (;;) {
      batch* b = nullptr;
      {
        std::unique_lock lock(mutex_);
        work_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        b = queue_.front();
        queue_.pop_front();
      }
      bool rejected = false;
      for (const queued_line& l : b->lines) {
        const std::string_view text = std::string_view(b->input).substr(l.begin, l.size);
        if (!decider.decide(text, l.number, l.too_long, b->output)) rejected = true;
      }
      {
        const std::lock_guard lock(mutex_);
        b->rejected = rejected;
        b->done = true;
      }
      batch_done_.notify_all();
    }
  }

  buffered_output& out_;
  const std::size_t max_in_flight_;
  std::unique_ptr<batch> filling_;            // main thread only
  std::vector<std::unique_ptr<batch>> free_;  // main thread only
  bool rejected_ = false;                     // main thread only
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable batch_done_;
  std::deque<std::unique_ptr<batch>> in_flight_;  // in input order; guarded by mutex_
  std::deque<batch*> queue_;                      // not yet taken by a worker; guarded
  bool stopping_ = false;                         // guarded
  std::vector<std::thread> workers_;
};

int run_eval(const command& self, std::span<const std::string_view> args) {
  static constexpr std::array<option_spec, 4> specs = {{
      {"--id-field", true},
      {"--trace", false},
      {"--max-line-bytes", true},
      {"--jobs", true},
  }};
  const parsed_args parsed = parse_args(args, specs);
  if (!parsed.error.empty()) return usage_error(self, parsed.error);
  if (parsed.help) {
    print_help(self);
    return exit_ok;
  }
  if (parsed.operands.empty()) return usage_error(self, "no policy file given");
  if (parsed.operands.size() > 2) return usage_error(self, "too many arguments");
  const std::string_view tickets_path = parsed.operands.size() == 2 ? parsed.operands[1] : "-";
  if (parsed.operands[0] == "-" && tickets_path == "-") {
    return usage_error(self, "the policy and the tickets cannot both come from standard input");
  }
  const std::string id_field(parsed.value("--id-field").value_or("id"));
  const bool tracing = parsed.has("--trace");
  // The library's defaults, as `stats` and `diff` use them, so that every command rejects
  // the same tickets; only the line length has a flag (see the CLI guide).
  triage::ticket_limits lim;
  if (const auto value = parsed.value("--max-line-bytes")) {
    const auto r = std::from_chars(value->data(), value->data() + value->size(), lim.max_line_bytes);
    if (r.ec != std::errc{} || r.ptr != value->data() + value->size() || lim.max_line_bytes == 0) {
      return usage_error(self, fmt::format("invalid --max-line-bytes '{}'; expected a positive "
                                           "number of bytes",
                                           *value));
    }
  }
  unsigned jobs = 1;
  if (const auto value = parsed.value("--jobs")) {
    const auto r = std::from_chars(value->data(), value->data() + value->size(), jobs);
    if (r.ec != std::errc{} || r.ptr != value->data() + value->size() || jobs > max_jobs) {
      return usage_error(self, fmt::format("invalid --jobs '{}'; expected 0 (one per core) to {}",
                                           *value, max_jobs));
    }
    if (jobs == 0) jobs = std::clamp(std::thread::hardware_concurrency(), 1u, max_jobs);
  }

  const std::shared_ptr<const triage::policy> pol = load_policy(parsed.operands[0]);
  if (!pol) return exit_failure;

  int fd = STDIN_FILENO;
  if (tickets_path != "-") {
    fd = ::open(std::string(tickets_path).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      print_error(fmt::format("cannot read '{}': {}", tickets_path, std::strerror(errno)));
      return exit_failure;
    }
  }
  struct fd_closer {
    int fd;
    ~fd_closer() {
      if (fd != STDIN_FILENO) ::close(fd);
    }
  } closer{fd};

  const auto make_decider = [&] {
    return std::make_unique<line_decider>(pol, id_field, tracing, lim);
  };
  buffered_output out;
  std::unique_ptr<line_decider> decider;     // --jobs 1: decided here, in the reading thread
  std::unique_ptr<parallel_decider> workers;  // --jobs N
  if (jobs > 1) {
    workers = std::make_unique<parallel_decider>(jobs, make_decider, out);
  } else {
    decider = make_decider();
  }
  // Before a read that may wait, everything decided so far goes out.
  line_reader reader{fd, lim.max_line_bytes, [&] {
                       if (workers) workers->drain();
                       out.flush();
                     }};

  std::uint64_t line_number = 0;
  bool rejected = false;
  std::string_view line;
  bool too_long = false;
  while (reader.next(line, too_long)) {
    ++line_number;
    // Editors on Windows often start a UTF-8 file with a byte-order mark; it is not JSON.
    if (line_number == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
    if (!too_long && is_blank(line)) continue;
    if (workers) {
      workers->add(line, line_number, too_long);
    } else {
      if (!decider->decide(line, line_number, too_long, out.text())) rejected = true;
      out.maybe_flush();
    }
  }
  if (workers) {
    workers->drain();
    rejected = workers->rejected();
  }
  out.flush();
  if (!reader.error().empty()) {
    print_error(fmt::format("cannot read '{}': {}", display_name(tickets_path), reader.error()));
    return exit_failure;
  }
  return rejected ? exit_problems : exit_ok;
}

}  // namespace

const command eval_command{
    .name = "eval",
    .summary = "decide tickets (JSON Lines) with a policy",
    .usage = "rulecheck eval POLICY [TICKETS] [--id-field NAME] [--trace] [--max-line-bytes N] [--jobs N]",
    .help =
        "Reads tickets as JSON Lines, one JSON object a line, from TICKETS or, without it\n"
        "(or with '-'), from standard input, and writes one JSON line to stdout for every\n"
        "non-blank input line, in input order:\n"
        "  {\"id\": \"T-1001\", \"decision\": {\"priority\": \"P1\", \"urgent\": true, "
        "\"notify\": [\"on_call\"]}}\n"
        "  {\"id\": \"T-1002\", \"line\": 2, \"error\": \"missing required field "
        "'impact'\"}\n"
        "'decision' holds every output in declaration order (null when absent). A line that\n"
        "is not a valid ticket gets an 'error' line naming its input line, and the run goes\n"
        "on. Input is streamed: memory does not grow with the number of tickets.\n"
        "\n"
        "options:\n"
        "  --id-field NAME     echo this key as 'id' (default: id); null when absent\n"
        "  --trace             add \"rules\": {\"OUTPUT\": [\"LABEL or file:line\", ...]}, the\n"
        "                      rules that matched, per output\n"
        "  --max-line-bytes N  reject longer lines without storing them (default: 256 MiB)\n"
        "  --jobs N            decide tickets on N threads (0: one per core; default 1);\n"
        "                      the output is the same, in input order\n"
        "  -h, --help          show this help\n"
        "\n"
        "exit status: 0 every ticket decided, 1 some line was rejected, 2 bad usage, a file\n"
        "that cannot be read or a policy that does not compile (its diagnostics on stderr)\n",
    .run = run_eval,
};

}  // namespace rulecheck
