// A worker on the engine's worker bridge, typed by the engine's own OpenAPI document: claim one
// job, complete it. `jobengine-api` is the file openapi-typescript generates from the live
// document (tests/integration/api_client_test.cpp maps the name to it in its tsconfig).
//
// It is written to compile only when the document types what it uses: a grant's jobId and
// leaseId as strings, attempt as a number, the completion's status. An untyped body
// (`unknown`, or no schema at all) fails `tsc --strict`, which is the point of the test.
import createClient from "openapi-fetch";
import type { paths } from "jobengine-api";

export interface Finished {
  jobId: string;
  leaseId: string;
  attempt: number;
  status: string;
}

// Claims at most one job of `jobType` and completes it as succeeded; null when none was queued.
export async function claimAndComplete(
  baseUrl: string,
  token: string,
  tenant: string,
  jobType: string,
): Promise<Finished | null> {
  const client = createClient<paths>({
    baseUrl,
    headers: { Authorization: `Bearer ${token}` },
  });
  const header = {
    "X-StellaOps-Tenant": tenant,
    "X-StellaOps-Operator-Reason": "worker sample-ts",
  };
  const claimed = await client.POST("/api/v1/jobengine/worker/claim", {
    params: { header },
    body: { jobTypes: [jobType], maxCount: 1, workerId: "sample-ts" },
  });
  if (claimed.data === undefined) {
    // Every error answer is the engine's ErrorEnvelope: typed too.
    throw new Error(`claim: HTTP ${claimed.response.status} ${claimed.error?.error.code}`);
  }
  const grant = claimed.data.grants[0];
  if (grant === undefined) {
    return null;
  }
  const jobId: string = grant.jobId;
  const leaseId: string = grant.leaseId;
  const attempt: number = grant.attempt;

  const completed = await client.POST("/api/v1/jobengine/worker/jobs/{id}/complete", {
    params: { header, path: { id: jobId } },
    body: { leaseId, status: "succeeded" },
  });
  if (completed.data === undefined) {
    const code = completed.error?.error.code;
    throw new Error(`complete ${jobId}: HTTP ${completed.response.status} ${code}`);
  }
  const status: string = completed.data.status;
  return { jobId, leaseId, attempt, status };
}
