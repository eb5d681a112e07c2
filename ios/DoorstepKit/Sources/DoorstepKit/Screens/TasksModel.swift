// What came back from the county: visits returned for correction (with the supervisor's
// comment), approvals and rejections, and ticket news to pass on to the household.

import Foundation
import Observation

@MainActor
@Observable
public final class TasksModel {
    public private(set) var tasks: [DoorstepCore.Task] = []
    /// Visit id → the recipient's name, to say whose visit a task is about.
    public private(set) var names: [String: String] = [:]
    public private(set) var refusal: String?
    @ObservationIgnored private let app: FieldApp

    public init(app: FieldApp) {
        self.app = app
        refresh()
    }

    public func refresh() {
        do {
            tasks = try app.core.tasks()
            names = Dictionary(try app.core.visits().map { ($0.visitId, $0.recipientName ?? $0.recipientId) },
                               uniquingKeysWith: { a, _ in a })
            refusal = nil
        } catch {
            refusal = words(error)
        }
    }

    /// Returned visits not corrected yet: the worker's to-do.
    public var toCorrect: [String] {
        tasks.compactMap { if case let .returned(id, _, _, corrected) = $0, !corrected { return id } else { return nil } }
    }

    /// Starts the correction of a returned visit: a new visit that points at it.
    public func correct(_ visitId: String) throws -> VisitModel {
        try VisitModel(app: app, session: try app.core.correctVisit(originalId: visitId))
    }
}
