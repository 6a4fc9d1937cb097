// Decisions: per-output results, sized once per policy so evaluation never allocates.
#include <stdexcept>
#include <string>

#include "eval/runtime.hpp"
#include "render/escape.hpp"
#include "triage/decision.hpp"

namespace triage {

decision::decision(std::shared_ptr<const triage::policy> p) {
  if (!p) throw std::invalid_argument("triage::decision needs a policy");
  bind(p);
}

void decision::bind(const std::shared_ptr<const triage::policy>& p) {
  owner_ = p;
  const triage::model& m = p->model();
  const detail::policy_access::runtime& rt = detail::policy_access::rt(*p);
  slots_.clear();
  slots_.resize(m.outputs.size());
  for (std::size_t o = 0; o < m.outputs.size(); ++o) {
    if (m.outputs[o].policy != hit_policy::collect) continue;
    // At most one value per rule, and at most `universe` distinct values.
    slot& s = slots_[o];
    s.texts.reserve(m.outputs[o].rules.size());
    s.ids.reserve(m.outputs[o].rules.size());
    s.seen.assign((std::size_t{rt.outputs[o].universe} + 63) / 64, 0);
  }
  valid_ = true;
}

void decision::append_json(std::string& out) const {
  const triage::model& m = owner_->model();
  out += '{';
  for (std::uint32_t o = 0; o < m.outputs.size(); ++o) {
    const output_def& def = m.outputs[o];
    const slot& s = slots_[o];
    if (o) out += ", ";
    detail::append_json_string(out, def.name);
    out += ": ";
    if (def.policy == hit_policy::collect) {
      out += '[';
      for (std::size_t i = 0; i < s.texts.size(); ++i) {
        if (i) out += ", ";
        detail::append_json_string(out, s.texts[i]);
      }
      out += ']';
      continue;
    }
    if (!s.present) {
      out += "null";
      continue;
    }
    switch (def.type) {
      case output_type::flag: out += s.number != 0 ? "true" : "false"; break;
      case output_type::integer: out += std::to_string(s.number); break;
      case output_type::enumeration:
      case output_type::string: detail::append_json_string(out, s.text); break;
    }
  }
  out += '}';
}

std::string decision::to_json() const {
  std::string out;
  append_json(out);
  return out;
}

}  // namespace triage
