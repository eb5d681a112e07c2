// Today's due list: drafts to go back to, the lines to the tasks and the sync screen, a
// search, and the households in the core's order, each with its village and how overdue.

import DoorstepKit
import SwiftUI

struct DueListView: View {
    @State var model: DueListModel
    @State private var resumed: VisitModel?
    @State private var refusal: String?
    @Environment(FieldApp.self) private var app

    var body: some View {
        List {
            Section {
                NavigationLink(L("due.syncLine", model.unsent)) { SyncView(model: SyncModel(app: app)) }.bigTarget()
                NavigationLink(L("due.tasksLine", model.openTasks)) { TasksView(model: TasksModel(app: app)) }.bigTarget()
            }
            if !model.drafts.isEmpty {
                Section(L("due.drafts")) {
                    ForEach(model.drafts, id: \.visitId) { d in
                        Button(L("due.resume", d.recipientName ?? d.recipientId)) {
                            do { resumed = try model.resume(d.visitId) } catch { refusal = words(error) }
                        }.bigTarget()
                    }
                }
            }
            Section(L("due.title")) {
                if let why = model.refusal ?? refusal { WarningLine(text: why) }
                if model.rows.isEmpty { Text(L(model.searching ? "due.noMatch" : "due.none")).font(.body) }
                // A value link: the recipient is read when tapped, not for every row shown.
                ForEach(model.rows, id: \.id) { row in
                    NavigationLink(value: row.id) { DueRow(row: row, language: app.language) }
                }
            }
        }
        .navigationDestination(for: String.self) { RecipientView(model: model.recipient($0)) }
        .navigationDestination(item: $resumed) { VisitView(model: $0) }
        .searchable(text: $model.search, prompt: L("due.search"))
        .navigationTitle(L("due.title"))
        .onAppear { model.refresh() }
        .onChange(of: app.syncGeneration) { model.refresh() }
    }
}

struct DueRow: View {
    let row: RosterEntry
    let language: Language

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Text(row.name).font(.title3.bold())
            Text(row.categories.map { labelCategory(value: $0, language: language) }.joined(separator: "、")
                 + " · " + labelCardStatus(value: row.cardStatus, language: language)).font(.body)
            HStack {
                Text([row.townshipName, row.villageName].compactMap { $0 }.joined(separator: " · ").ifEmpty(row.villageCode))
                Spacer()
                if row.overdueDays > 0 {
                    Text(L("due.overdue", row.overdueDays)).foregroundStyle(.orange)
                } else {
                    Text(L("due.on", row.dueDate))
                }
                if let m = row.distanceM { Text(L("due.distance", m / 1000)) }
            }.font(.body)
        }
        .bigTarget()
        .accessibilityElement(children: .combine)
    }
}

extension String {
    func ifEmpty(_ other: String) -> String { isEmpty ? other : self }
}
