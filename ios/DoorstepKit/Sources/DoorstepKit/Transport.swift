// HTTP for the core's sync and enrolment, over URLSession (FoundationNetworking on Linux).
// The core calls `send` on the network queue and waits for the answer: any status is an
// answer; only "no answer came" (no network, timeout, TLS refused) is an error. On an iPhone a
// county CA is pinned by the session delegate in Apple/PinnedTrust.swift.

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

public final class URLSessionTransport: HttpTransport, @unchecked Sendable {
    private let session: URLSession
    private let timeout: TimeInterval

    /// `session` defaults to an ephemeral one: no cookies, no cache on disk.
    public init(session: URLSession = URLSession(configuration: .ephemeral), timeout: TimeInterval = 30) {
        self.session = session
        self.timeout = timeout
    }

    public func send(request: HttpRequest) throws -> HttpResponse {
        guard let url = URL(string: request.url) else {
            throw PlatformError.Failed(reason: "not a URL")
        }
        var req = URLRequest(url: url)
        req.httpMethod = request.method
        req.timeoutInterval = timeout
        for h in request.headers { req.setValue(h.value, forHTTPHeaderField: h.name) }
        if request.method != "GET" { req.httpBody = request.body }
        let done = DispatchSemaphore(value: 0)
        let box = AnswerBox()
        session.dataTask(with: req) { data, response, error in
            if let error {
                // The reason without the URL: the worker's screen shows it.
                box.result = .failure(PlatformError.Failed(reason: (error as NSError).localizedDescription))
            } else if let r = response as? HTTPURLResponse {
                box.result = .success((r, data ?? Data()))
            }
            done.signal()
        }.resume()
        done.wait()
        let (r, body) = try box.result.get()
        let headers = r.allHeaderFields.map { HttpHeader(name: "\($0.key)", value: "\($0.value)") }
        return HttpResponse(status: UInt16(clamping: r.statusCode), headers: headers, body: body)
    }
}

/// The answer handed from URLSession's queue to the waiting caller (the semaphore orders it).
private final class AnswerBox: @unchecked Sendable {
    var result: Result<(HTTPURLResponse, Data), Error> = .failure(PlatformError.Failed(reason: "no answer"))
}
