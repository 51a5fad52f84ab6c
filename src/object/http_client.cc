#include "object/http_client.h"

#include <curl/curl.h>

#include "common/buffer.h"

#include <cctype>
#include <cstdlib>
#include <cstring>

namespace slicefs {

namespace {

struct GlobalInit {
  GlobalInit() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

void EnsureGlobalInit() { static GlobalInit once; }

struct Sink {
  HttpResponse* resp;
  size_t limit;
  bool overflow = false;
};

size_t OnBody(char* ptr, size_t size, size_t nmemb, void* user) {
  auto* s = static_cast<Sink*>(user);
  size_t n = size * nmemb;
  if (s->resp->body.size() + n > s->limit) {
    s->overflow = true;
    return 0;  // aborts the transfer
  }
  if (s->resp->body.empty()) {
    // One allocation of the announced size instead of doubling copies.
    auto it = s->resp->headers.find("content-length");
    if (it != s->resp->headers.end()) {
      size_t len = std::strtoull(it->second.c_str(), nullptr, 10);
      if (len > n && len <= s->limit) ReserveBlock(&s->resp->body, len);
    }
  }
  s->resp->body.append(ptr, n);
  return n;
}

size_t OnHeader(char* ptr, size_t size, size_t nmemb, void* user) {
  auto* resp = static_cast<HttpResponse*>(user);
  size_t n = size * nmemb;
  std::string_view line(ptr, n);
  if (line.starts_with("HTTP/")) {
    resp->headers.clear();  // a new response (e.g. after 100 Continue)
    return n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.remove_suffix(1);
  resp->headers[name] = std::string(value);
  return n;
}

}  // namespace

HttpClient::HttpClient(size_t maxIdle) : maxIdle_(maxIdle == 0 ? 1 : maxIdle) { EnsureGlobalInit(); }

HttpClient::~HttpClient() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* HttpClient::acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void HttpClient::release(void* handle) {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < maxIdle_) {
    idle_.push_back(handle);
    return;
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

uint64_t HttpClient::connectsMade() const {
  std::lock_guard<std::mutex> lock(mu_);
  return connects_;
}

Result<HttpResponse> HttpClient::perform(const HttpRequest& req) {
  CURL* h = static_cast<CURL*>(acquire());
  if (!h) return Err(Status::Retryable(ENOMEM, "curl_easy_init failed"));
  curl_easy_reset(h);  // keeps the connection cache
  HttpResponse resp;
  Sink sink{&resp, req.maxResponseBytes};
  curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);  // S3 keys may hold "/./" or "//"
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeoutMs));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(req.connectTimeoutMs));
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &resp);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (req.tls != nullptr) {
    if (!req.tls->caFile.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, req.tls->caFile.c_str());
    if (!req.tls->certFile.empty()) curl_easy_setopt(h, CURLOPT_SSLCERT, req.tls->certFile.c_str());
    if (!req.tls->keyFile.empty()) curl_easy_setopt(h, CURLOPT_SSLKEY, req.tls->keyFile.c_str());
    if (req.tls->insecureSkipVerify) {
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
  }
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);

  if (req.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (req.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    // PUT/POST/DELETE: send the body (possibly empty) as-is.
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    if (!req.body.empty() || req.method == "PUT" || req.method == "POST") {
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.empty() ? "" : req.body.data());
    }
  }

  struct curl_slist* list = nullptr;
  bool hasContentType = false;
  for (const auto& [k, v] : req.headers) {
    if (strcasecmp(k.c_str(), "content-type") == 0) hasContentType = true;
    list = curl_slist_append(list, (k + ": " + v).c_str());
  }
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  if (!hasContentType) list = curl_slist_append(list, "Content-Type:");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);

  CURLcode rc = curl_easy_perform(h);
  curl_slist_free_all(list);
  long connects = 0;
  curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
  {
    std::lock_guard<std::mutex> lock(mu_);
    connects_ += static_cast<uint64_t>(connects);
  }
  if (rc != CURLE_OK) {
    // Drop the handle: its connection state is unknown.
    curl_easy_cleanup(h);
    std::string what = std::string(req.method) + " " + req.url + ": " + curl_easy_strerror(rc);
    if (sink.overflow)
      return Err(Status::IOError(what + " (response larger than " + std::to_string(req.maxResponseBytes) + " bytes)"));
    if (rc == CURLE_OPERATION_TIMEDOUT) return Err(Status::Retryable(ETIMEDOUT, what));
    if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT)
      return Err(Status::IOError(std::string(req.method) + " " + req.url + ": TLS certificate not trusted (" + errbuf +
                                 ") " + kTlsVerifyHint));
    if (rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_URL_MALFORMAT ||
        rc == CURLE_UNSUPPORTED_PROTOCOL)
      return Err(Status::IOError(what + (errbuf[0] ? std::string(" (") + errbuf + ")" : "")));
    return Err(Status::Retryable(EIO, what));
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
  release(h);
  return resp;
}

}  // namespace slicefs
