// The parts of the visit screen, one view each: what the worker records at each door. Every
// choice shown comes from the core (its vocabulary, the recipient's subsidies, the county's
// policy list and checklist) in the core's words; every tap is one call on the view model.

import DoorstepKit
import SwiftUI

struct KnockPart: View {
    let model: VisitModel
    @State private var present = ""

    var body: some View {
        VStack(alignment: .leading, spacing: 12) {
            Text(L("knock.title")).font(.title2.bold())
            Choices(options: Outcome.allCases, label: { labelOutcome(value: $0, language: model.language) },
                    chosen: model.record.outcome) { model.knock($0, present: present) }
            TextField(L("knock.present"), text: $present).bigTarget()
            Button(L("save")) { model.savePresent(present) }.buttonStyle(BigButtonStyle())
        }
        .onAppear { present = model.record.present.joined(separator: "，") }
    }
}

struct CarePart: View {
    let model: VisitModel
    @State private var arrived: [String: Arrival] = [:]
    @State private var amount: [String: String] = [:]
    @State private var sms: [String: Bool] = [:]
    @State private var living = ""
    @State private var needs = ""

    var body: some View {
        VStack(alignment: .leading, spacing: 12) {
            Text(L("care.subsidies")).font(.title2.bold())
            ForEach(model.subsidies, id: \.code) { s in
                let code = s.code ?? ""
                Text("\(s.name ?? code)  \(L("care.due")) \(s.amountFen.map(yuan) ?? "—")").font(.title3)
                Choices(options: Arrival.allCases, label: { labelArrival(value: $0, language: model.language) },
                        chosen: arrived[code] ?? model.record.subsidies.first { $0.code == code }?.arrived) { arrived[code] = $0 }
                TextField(L("care.amountSeen"), text: Binding(get: { amount[code] ?? "" }, set: { amount[code] = $0 }))
                    .keyboardType(.decimalPad).bigTarget()
                Toggle(L("care.sms"), isOn: Binding(get: { sms[code] ?? false }, set: { sms[code] = $0 })).bigTarget()
                Button(L("care.recordSubsidy")) {
                    model.recordSubsidy(code: code, arrived: arrived[code], amountSeen: amount[code] ?? "", sms: sms[code])
                }.buttonStyle(BigButtonStyle())
            }
            Text(L("care.policies")).font(.title2.bold())
            ForEach(model.policyTopics, id: \.code) { t in
                let told = model.record.policiesExplained.contains(t.code)
                Button { model.explained(t.code) } label: {
                    Label(t.title, systemImage: told ? "checkmark.square.fill" : "square").bigTarget()
                }.disabled(told)
            }
            Text(L("care.living")).font(.title2.bold())
            TextField(L("care.livingHint"), text: $living, axis: .vertical).lineLimit(3...8)
            Button(L("save")) { model.living(living) }.buttonStyle(BigButtonStyle())
            Text(L("care.needs")).font(.title2.bold())
            TextField(L("care.needsHint"), text: $needs, axis: .vertical).lineLimit(3...8)
            Button(L("save")) { model.needs(needs) }.buttonStyle(BigButtonStyle())
        }
        .onAppear {
            for c in model.record.subsidies {
                arrived[c.code] = c.arrived
                amount[c.code] = c.amountSeenFen.map { String(format: "%d.%02d", $0 / 100, $0 % 100) } ?? ""
                sms[c.code] = c.smsReceived ?? false
            }
            living = model.record.livingSituation
            needs = model.record.needs
        }
    }
}

struct OpenPart: View {
    let model: VisitModel
    @State private var question = ""
    @State private var kind: TicketKind?
    @State private var urgency = Urgency.normal
    @State private var problem = ""

    var body: some View {
        VStack(alignment: .leading, spacing: 12) {
            Text(L("open.questions")).font(.title2.bold())
            ForEach(model.record.questionsAnswered, id: \.self) { Text("✓ \($0)") }
            TextField(L("open.questionHint"), text: $question, axis: .vertical)
            Button(L("open.addQuestion")) { if model.answered(question) { question = "" } }.buttonStyle(BigButtonStyle())
            Text(L("open.tickets")).font(.title2.bold())
            ForEach(model.record.tickets, id: \.number) { t in
                Text("#\(t.number) \(labelTicketKind(value: t.kind, language: model.language)) · "
                     + "\(labelUrgency(value: t.urgency, language: model.language)) · \(L("open.due", t.due))\n\(t.description)")
            }
            Choices(options: TicketKind.allCases, label: { labelTicketKind(value: $0, language: model.language) }, chosen: kind) { kind = $0 }
            Choices(options: Urgency.allCases, label: { labelUrgency(value: $0, language: model.language) }, chosen: urgency) { urgency = $0 }
            TextField(L("open.ticketHint"), text: $problem, axis: .vertical)
            Button(L("open.addTicket")) {
                if model.ticket(kind: kind, description: problem, urgency: urgency) { problem = ""; kind = nil }
            }.buttonStyle(BigButtonStyle())
        }.font(.body)
    }
}

struct ChecklistPart: View {
    let model: VisitModel
    @State private var notes: [String: String] = [:]

    var body: some View {
        VStack(alignment: .leading, spacing: 12) {
            Text(model.checklist?.title ?? "").font(.title2.bold())
            ForEach(model.checklistItems, id: \.key) { item in
                Text(item.label).font(.title3)
                TextField(L("checklist.note"), text: Binding(get: { notes[item.key] ?? "" }, set: { notes[item.key] = $0 })).bigTarget()
                Choices(options: ItemStatus.allCases, label: { labelItemStatus(value: $0, language: model.language) },
                        chosen: model.record.checklist.first { $0.key == item.key }?.status) {
                    model.checklist(item.key, $0, note: notes[item.key] ?? "")
                }
            }
        }
        .onAppear { for a in model.record.checklist { notes[a.key] = a.note } }
    }
}

struct SatisfactionPart: View {
    let model: VisitModel
    @State private var level: SatisfactionLevel?
    @State private var comment = ""

    var body: some View {
        VStack(alignment: .leading, spacing: 12) {
            Text(L("satisfaction.title")).font(.title2.bold())
            Choices(options: SatisfactionLevel.allCases, label: { labelSatisfaction(value: $0, language: model.language) }, chosen: level) { level = $0 }
            TextField(L("satisfaction.comment"), text: $comment, axis: .vertical).lineLimit(2...6)
            Button(L("save")) { model.satisfaction(level, comment: comment) }.buttonStyle(BigButtonStyle())
        }
        .onAppear { level = model.record.satisfaction; comment = model.record.satisfactionComment }
    }
}

struct PhotosPart: View {
    let model: VisitModel
    let camera: PhotoSource

    var body: some View {
        VStack(alignment: .leading, spacing: 12) {
            Text(L("photos.title")).font(.title2.bold())
            Button(L("photos.take")) { Task { await model.takePhoto(from: camera) } }
                .buttonStyle(BigButtonStyle()).disabled(model.photoBusy)
            ForEach(model.state.photos, id: \.self) { sha in
                if let data = model.thumbnail(sha), let image = UIImage(data: data) {
                    Image(uiImage: image).resizable().scaledToFit().accessibilityLabel(L("photos.one"))
                }
                Button(L("photos.remove"), role: .destructive) { model.removePhoto(sha) }.bigTarget()
            }
        }
    }
}

struct SignPart: View {
    let model: VisitModel
    let camera: PhotoSource
    @State private var signer = SignerRole.recipient
    @State private var proxyName = ""
    @State private var relation = ""
    @State private var attested = L("sign.attest")
    @State private var pad = SignatureModel(width: 600, height: 240)

    var body: some View {
        VStack(alignment: .leading, spacing: 12) {
            Text(L("sign.title")).font(.title2.bold())
            Choices(options: SignerRole.allCases, label: { labelSignerRole(value: $0, language: model.language) }, chosen: signer) { signer = $0 }
            if signer == .proxy {
                TextField(L("sign.proxyName"), text: $proxyName).bigTarget()
                TextField(L("sign.relation"), text: $relation).bigTarget()
            }
            TextField(L("sign.attestHint"), text: $attested, axis: .vertical)
            if signer != .thumbprint {
                SignaturePad(model: $pad).frame(height: 240)
                Button(L("sign.clear")) { pad.clear() }.bigTarget()
            }
            Button(L("sign.confirm")) {
                model.sign(signer, proxyName: proxyName, relation: relation, pad: pad, attested: attested)
            }.buttonStyle(BigButtonStyle())
            if signer == .thumbprint || model.record.signature?.signer == .thumbprint {
                Button(L("sign.takeThumbprint")) { Task { await model.takePhoto(from: camera) } }.buttonStyle(BigButtonStyle(prominent: false))
            }
            if let png = model.signaturePreview, let image = UIImage(data: png) {
                Text(L("sign.kept")).font(.callout)
                Image(uiImage: image).resizable().scaledToFit()
            }
        }
        .onAppear {
            if let s = model.record.signature {
                signer = s.signer; proxyName = s.proxyName; relation = s.relation; attested = s.attested
            }
        }
    }
}

struct FinishPart: View {
    let model: VisitModel

    var body: some View {
        VStack(alignment: .leading, spacing: 12) {
            Text(L("finish.title")).font(.title2.bold())
            ForEach(Array(model.state.missing.enumerated()), id: \.offset) { _, m in Label(m.text, systemImage: "xmark.circle").foregroundStyle(.red) }
            ForEach(Array(model.state.warnings.enumerated()), id: \.offset) { _, w in WarningLine(text: w.text) }
            if model.state.missing.isEmpty { Label(L("finish.complete"), systemImage: "checkmark.seal").foregroundStyle(.green) }
            Button(L("finish.seal")) { model.finish() }.buttonStyle(BigButtonStyle()).disabled(!model.state.canFinish)
        }.font(.body)
    }
}

struct SealedPart: View {
    let sealed: SealedVisit
    @Environment(\.dismiss) private var dismiss

    var body: some View {
        VStack(alignment: .leading, spacing: 12) {
            Text(L("finish.sealed")).font(.title2.bold())
            Text(L("finish.sealedDetail", sealed.seq, String(sealed.sha256.prefix(12))))
            ForEach(Array(sealed.flags.enumerated()), id: \.offset) { _, f in WarningLine(text: f.text) }
            Button(L("finish.back")) { dismiss() }.buttonStyle(BigButtonStyle())
        }.font(.body)
    }
}
