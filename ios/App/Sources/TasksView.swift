// What came back from the county: returned visits to correct (with the supervisor's words),
// approvals and rejections, and ticket news to pass on.

import DoorstepKit
import SwiftUI

struct TasksView: View {
    @State var model: TasksModel
    @State private var correcting: VisitModel?
    @State private var refusal: String?

    var body: some View {
        List {
            if model.tasks.isEmpty { Text(L("tasks.none")).font(.body) }
            if let why = model.refusal ?? refusal { WarningLine(text: why) }
            ForEach(Array(model.tasks.enumerated()), id: \.offset) { _, t in
                row(t).font(.body)
            }
        }
        .navigationTitle(L("tasks.title"))
        .navigationDestination(item: $correcting) { VisitView(model: $0) }
        .onAppear { model.refresh() }
    }

    @ViewBuilder private func row(_ t: DoorstepCore.Task) -> some View {
        switch t {
        case let .returned(id, comment, at, corrected):
            VStack(alignment: .leading) {
                WarningLine(text: L("tasks.returned", model.names[id] ?? "", when(at), comment))
                if corrected {
                    Text(L("tasks.corrected")).font(.callout)
                } else {
                    Button(L("tasks.correct")) {
                        do { correcting = try model.correct(id) } catch { refusal = words(error) }
                    }.buttonStyle(BigButtonStyle())
                }
            }
        case let .approved(id, at):
            Text(L("tasks.approved", model.names[id] ?? "", when(at)))
        case let .rejected(id, comment, _):
            WarningLine(text: L("tasks.rejected", model.names[id] ?? "", comment))
        case let .ticketUpdate(_, _, _, stateText, text, due):
            Text(text.isEmpty ? L("tasks.ticketState", stateText, due ?? "—") : L("tasks.ticket", stateText, text, due ?? "—"))
        }
    }

    private func when(_ unix: Int64) -> String {
        Date(timeIntervalSince1970: TimeInterval(unix)).formatted(date: .abbreviated, time: .shortened)
    }
}
