// The county's own CA certificate, pasted at enrolment as PEM: read here into DER (the form
// the platform's trust evaluation takes), so a paste that is not a certificate is refused at
// once, in words, rather than at the first sync.

import Foundation

public enum CountyCA {
    /// The DER bytes of the first certificate in `pem`; nil when there is none or it is not
    /// valid base64.
    public static func der(fromPem pem: String) -> Data? {
        let begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----"
        guard let b = pem.range(of: begin), let e = pem.range(of: end, range: b.upperBound..<pem.endIndex) else { return nil }
        let body = pem[b.upperBound..<e.lowerBound].filter { !$0.isWhitespace }
        guard let der = Data(base64Encoded: String(body)), der.count > 64,
              // A certificate is a DER SEQUENCE (0x30) with a long-form length.
              der.first == 0x30 else { return nil }
        return der
    }
}
