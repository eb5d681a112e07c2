// One recipient before the visit: who, where, the card, the subsidies due (protected ones
// behind a tap the core logs), and "start the visit".

import DoorstepKit
import SwiftUI

struct RecipientView: View {
    @State var model: RecipientModel
    @State private var visit: VisitModel?
    @State private var refusal: String?

    var body: some View {
        List {
            if let r = model.detail {
                Section {
                    Text(r.name).font(.title.bold())
                    Text("\(labelGender(value: r.gender, language: model.language)) · \(L("recipient.age", r.age)) · "
                         + r.categories.map { labelCategory(value: $0, language: model.language) }.joined(separator: "、"))
                    Text([r.townshipName, r.villageName].compactMap { $0 }.joined(separator: " · ").ifEmpty(r.villageCode) + "\n" + r.address)
                    Text(L("recipient.idNumber", r.idNumberMasked))
                    if let phone = r.phone { Text(L("recipient.phone", phone)) }
                    if let g = r.guardian { Text(L("recipient.guardian", g.name, g.relation, g.phone ?? "")) }
                    Text(L("recipient.card", labelCardStatus(value: r.cardStatus, language: model.language)))
                    Text(r.overdueDays > 0 ? L("due.overdue", r.overdueDays) : L("due.on", r.dueDate))
                }.font(.body)
                Section(L("recipient.subsidies")) {
                    ForEach(Array(r.subsidies.enumerated()), id: \.offset) { _, s in
                        if !s.hidden { Text("\(s.name ?? s.code ?? "") \(s.amountFen.map(yuan) ?? "")").font(.body) }
                    }
                    if model.hasHidden {
                        Button(L("recipient.reveal")) { model.reveal() }.bigTarget()
                    }
                }
            }
            if let why = model.refusal ?? refusal { WarningLine(text: why) }
            Button(L("recipient.start")) {
                do { visit = try model.startVisit() } catch { refusal = words(error) }
            }
            .buttonStyle(BigButtonStyle())
        }
        .navigationDestination(item: $visit) { VisitView(model: $0) }
    }
}

extension VisitModel: @retroactive Hashable {
    public nonisolated static func == (a: VisitModel, b: VisitModel) -> Bool { a === b }
    public nonisolated func hash(into h: inout Hasher) { h.combine(ObjectIdentifier(self)) }
}
