// One recipient before the visit: who they are, where, their card, the subsidies due (the
// protected ones unnamed until the worker taps to see them, which the core logs).

import Foundation
import Observation

@MainActor
@Observable
public final class RecipientModel {
    public let id: String
    public private(set) var detail: RecipientDetail?
    public private(set) var refusal: String?
    @ObservationIgnored private let app: FieldApp

    init(app: FieldApp, id: String) {
        self.app = app
        self.id = id
        do { detail = try app.core.recipient(id: id) } catch { refusal = words(error) }
    }

    public var language: Language { app.language }

    /// Some subsidies are protected (the core hides them until asked).
    public var hasHidden: Bool { detail?.subsidies.contains { $0.hidden } ?? false }

    /// Shows the protected subsidies; the core records that this worker looked.
    public func reveal() {
        do { detail = try app.core.revealProtected(id: id) } catch { refusal = words(error) }
    }

    /// Starts the visit (its draft exists in the store from this moment).
    public func startVisit() throws -> VisitModel {
        try VisitModel(app: app, session: try app.core.startVisit(recipientId: id))
    }
}
