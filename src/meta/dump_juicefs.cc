// Reading `juicefs dump` documents (JuiceFS Community Edition 1.x): see
// docs/formats.md, "JuiceFS dumps".
#include "meta/dump_reader.h"

namespace slicefs::dump {

namespace {
class JuicefsFormat : public DocFormat {
 public:
  explicit JuicefsFormat(RecordSink& sink) : sink_(sink) {}
  Status On(Event&) override { return Status::Error(ENOTSUP, "JuiceFS dumps are not supported yet"); }
  Status Finish() override { return Status::OK(); }
  uint64_t records() const override { return 0; }

 private:
  RecordSink& sink_;
};
}  // namespace

std::unique_ptr<DocFormat> NewJuicefsFormat(RecordSink& sink) { return std::make_unique<JuicefsFormat>(sink); }

}  // namespace slicefs::dump
