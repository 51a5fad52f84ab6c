// The shared test assertions (tests/support/assert.h) fail when they should:
// on Status, Result<T> and system-call return values alike.
#include <fcntl.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "support/assert.h"

namespace slicefs {
namespace {

TEST(AssertMacros, PassOnSuccessAndMatchingErrno) {
  EXPECT_OK(Status::OK());
  EXPECT_OK(Result<int>(3));
  EXPECT_OK(::dup(0) >= 0 ? 0 : -1);
  EXPECT_ERRNO(Status::NotFound("x"), ENOENT);
  EXPECT_ERRNO(Result<int>(Err(EACCES, "no")), EACCES);
  EXPECT_ERRNO(::open("/nonexistent/slicefs/x", O_RDONLY), ENOENT);
  EXPECT_ERRNO(::close(-1), EBADF) << "streams a message";
}

TEST(AssertMacros, FailOnTheWrongOutcome) {
  EXPECT_NONFATAL_FAILURE(EXPECT_OK(Status::IOError("boom")), "boom");
  EXPECT_NONFATAL_FAILURE(EXPECT_OK(Result<int>(Err(EINVAL, "bad arg"))), "bad arg");
  EXPECT_NONFATAL_FAILURE(EXPECT_OK(::close(-1)), "Bad file descriptor");
  EXPECT_NONFATAL_FAILURE(EXPECT_ERRNO(Status::OK(), ENOENT), "expected No such file");
  EXPECT_NONFATAL_FAILURE(EXPECT_ERRNO(Status::Invalid("x"), ENOENT), "Invalid argument");
  EXPECT_NONFATAL_FAILURE(EXPECT_ERRNO(::close(-1), ENOENT), "Bad file descriptor");
  EXPECT_FATAL_FAILURE(ASSERT_OK(Status::IOError("fatal one")), "fatal one");
}

}  // namespace
}  // namespace slicefs
