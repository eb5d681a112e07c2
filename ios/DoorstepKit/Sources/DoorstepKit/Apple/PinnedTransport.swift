// HTTPS to a county server under the county's own CA: the session's trust evaluation takes
// that CA as its only anchor. With no CA set, the system's trust store is used as is.
// Compiled only on Apple platforms (never on the Linux machines this project is tested on).
#if canImport(Security) && !os(Linux)
import Foundation
import Security

public enum PinnedTransport {
    public static func make(countyCaPem: String) -> HttpTransport {
        let pem = countyCaPem.trimmingCharacters(in: .whitespacesAndNewlines)
        if pem.isEmpty { return URLSessionTransport() }
        guard let der = CountyCA.der(fromPem: pem), let ca = SecCertificateCreateWithData(nil, der as CFData) else {
            return Refusing(reason: "the county certificate cannot be read")
        }
        let session = URLSession(configuration: .ephemeral, delegate: Anchored(ca), delegateQueue: nil)
        return URLSessionTransport(session: session)
    }

    private final class Anchored: NSObject, URLSessionDelegate, @unchecked Sendable {
        private let ca: SecCertificate
        init(_ ca: SecCertificate) { self.ca = ca }

        func urlSession(_ session: URLSession, didReceive challenge: URLAuthenticationChallenge,
                        completionHandler: @escaping (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
            guard challenge.protectionSpace.authenticationMethod == NSURLAuthenticationMethodServerTrust,
                  let trust = challenge.protectionSpace.serverTrust else {
                return completionHandler(.performDefaultHandling, nil)
            }
            SecTrustSetAnchorCertificates(trust, [ca] as CFArray)
            SecTrustSetAnchorCertificatesOnly(trust, true)
            var error: CFError?
            if SecTrustEvaluateWithError(trust, &error) {
                completionHandler(.useCredential, URLCredential(trust: trust))
            } else {
                completionHandler(.cancelAuthenticationChallenge, nil)
            }
        }
    }

    /// Every request refused with one reason (a county certificate that cannot be read).
    private final class Refusing: HttpTransport, @unchecked Sendable {
        let reason: String
        init(reason: String) { self.reason = reason }
        func send(request: HttpRequest) throws -> HttpResponse { throw PlatformError.Failed(reason: reason) }
    }
}
#endif
