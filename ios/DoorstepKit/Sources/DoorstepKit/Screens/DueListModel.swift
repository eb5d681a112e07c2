// Today's due list, the first screen: who is overdue first, then who is nearest (the core
// sorts), a search by name (or an exact ID number or mobile), drafts to go back to, and the
// counts behind the lines to the tasks and the sync screen.

import Foundation
import Observation

@MainActor
@Observable
public final class DueListModel {
    public static let limit: UInt32 = 200

    /// Typing here refreshes the rows.
    public var search = "" { didSet { if search != oldValue { fill() } } }
    /// The worker's last known position, for distances and the secondary sort.
    public var near: LatLon? { didSet { if near != oldValue { fill() } } }
    public private(set) var rows: [RosterEntry] = []
    public private(set) var drafts: [VisitSummary] = []
    public private(set) var unsent: UInt64 = 0
    /// Returned visits not yet corrected, and ticket news not yet read out.
    public private(set) var openTasks = 0
    public private(set) var refusal: String?
    private let app: FieldApp

    public init(app: FieldApp) {
        self.app = app
        refresh()
    }

    public var searching: Bool { !search.trimmingCharacters(in: .whitespaces).isEmpty }

    public func refresh() {
        let core = app.core
        do {
            unsent = try core.status().unsent
            openTasks = try core.tasks().filter {
                switch $0 {
                case let .returned(_, _, _, corrected): return !corrected
                case .ticketUpdate: return true
                case .approved, .rejected: return false
                }
            }.count
            drafts = try core.visits().filter { $0.progress == .draft }
        } catch {
            refusal = words(error)
        }
        fill()
    }

    private func fill() {
        let query = search.trimmingCharacters(in: .whitespaces)
        do {
            rows = query.isEmpty
                ? try app.core.dueList(limit: Self.limit, near: near)
                : try app.core.roster(query: RosterQuery(dueOnly: false, search: query, village: nil, near: near, limit: Self.limit))
            refusal = nil
        } catch {
            rows = []
            refusal = words(error)
        }
    }

    public func recipient(_ id: String) -> RecipientModel { RecipientModel(app: app, id: id) }

    /// Back into a draft, where it was left.
    public func resume(_ visitId: String) throws -> VisitModel {
        try VisitModel(app: app, session: try app.core.resumeVisit(visitId: visitId))
    }
}
