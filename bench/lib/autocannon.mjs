// One autocannon run through its programmatic API, in the bench process. Counts every transport
// error, timeout, non-2xx status and unexpected body, by kind, so a server that answers wrongly
// fails the run instead of looking fast.
import autocannon from 'autocannon'

/** `overallRate` (requests/s over all connections) paces the load; without it, as fast as answered. */
export function loadAutocannon({ port, connections, pipelining = 1, seconds, body, overallRate }) {
  return new Promise((resolve, reject) => {
    const errorCodes = new Map()
    const instance = autocannon(
      // autocannon stops at its first sample tick past the duration: ticks of 100 ms (not 1 s) keep
      // a short run short.
      { url: `http://127.0.0.1:${port}/`, connections, pipelining, duration: seconds, sampleInt: 100, timeout: 5, expectBody: body, ...(overallRate ? { overallRate } : {}) },
      (err, r) => {
        if (err) return reject(err)
        const problems = [...errorCodes].map(([code, n]) => `${n} × ${code}`)
        for (const [status, { count }] of Object.entries(r.statusCodeStats ?? {})) {
          if (!status.startsWith('2')) problems.push(`${count} × HTTP ${status}`)
        }
        if (r.timeouts) problems.push(`${r.timeouts} timeouts`)
        if (r.mismatches) problems.push(`${r.mismatches} × a body other than ${JSON.stringify(body)}`)
        resolve({ requests: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, problems })
      },
    )
    instance.on('reqError', (err) => {
      const code = err?.code ?? err?.message ?? String(err)
      errorCodes.set(code, (errorCodes.get(code) ?? 0) + 1)
    })
  })
}
