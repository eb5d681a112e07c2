// Enrolment: the county's server address and the one-time code from the supervisor,
// optionally the county's CA certificate. Also where a phone lands when its vault lost the
// store's key: the old store is set aside (never deleted) and the phone enrols again.

import Foundation
import Observation

@MainActor
@Observable
public final class EnrolModel {
    public enum Phase: Equatable, Sendable {
        case editing
        case working
        /// The core's (or the network's) words for why it did not work.
        case refused(String)
        /// What was pasted as the county's CA is not a certificate.
        case badCertificate
        case enrolled(Enrolled)
    }

    public var server = "https://"
    public var code = ""
    public var countyCaPem: String
    public private(set) var phase: Phase = .editing
    private let app: FieldApp

    public init(app: FieldApp) {
        self.app = app
        countyCaPem = app.settings.countyCaPem
    }

    /// The key was lost: show the explanation and the way forward, not the form.
    public var keyLost: Bool { app.opened == .keyLost }

    public var canEnrol: Bool {
        phase != .working && !code.trimmingCharacters(in: .whitespaces).isEmpty
            && URL(string: server.trimmingCharacters(in: .whitespaces))?.host != nil
    }

    public func enrol() async {
        let url = server.trimmingCharacters(in: .whitespacesAndNewlines)
        // Codes are read aloud and typed in any case; the server issues them upper-case.
        let oneTime = code.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        let pem = countyCaPem.trimmingCharacters(in: .whitespacesAndNewlines)
        if !pem.isEmpty && CountyCA.der(fromPem: pem) == nil {
            phase = .badCertificate
            return
        }
        app.updateSettings { $0.countyCaPem = pem }
        phase = .working
        do {
            phase = .enrolled(try await app.enrol(server: url, code: oneTime))
        } catch {
            phase = .refused(words(error))
        }
    }

    /// Moves the unreadable store aside and opens a new one, ready to enrol.
    public func startAfresh() throws {
        try app.setAsideLostStore()
        app.open()
        phase = .editing
    }
}
