// openssl_handles.hpp — unique_ptr owners for the OpenSSL objects the audit core creates
// (digest and key contexts, memory BIOs), so every early return frees them.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>

#include <memory>

namespace jobengine::audit {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

}  // namespace jobengine::audit
