// The choices a screen offers, in the order the core's vocabulary lists them. UniFFI's Swift
// has no CaseIterable; each list below sits beside an exhaustive switch, so a case added to
// the core fails this build until it is offered here too. The words are the core's labels
// (`labelOutcome(value:language:)` and the like), never written in Swift.

extension Outcome: CaseIterable {
    public static let allCases: [Outcome] = [.metPerson, .metProxy, .nobodyHome, .refused, .moved, .deceased, .inHospital]
    private static func offered(_ v: Outcome) {
        switch v { case .metPerson, .metProxy, .nobodyHome, .refused, .moved, .deceased, .inHospital: break }
    }
}

extension Arrival: CaseIterable {
    public static let allCases: [Arrival] = [.yes, .no, .unsure]
    private static func offered(_ v: Arrival) {
        switch v { case .yes, .no, .unsure: break }
    }
}

extension ItemStatus: CaseIterable {
    public static let allCases: [ItemStatus] = [.done, .notApplicable, .problem]
    private static func offered(_ v: ItemStatus) {
        switch v { case .done, .notApplicable, .problem: break }
    }
}

extension SatisfactionLevel: CaseIterable {
    public static let allCases: [SatisfactionLevel] = [.satisfied, .basicallySatisfied, .dissatisfied]
    private static func offered(_ v: SatisfactionLevel) {
        switch v { case .satisfied, .basicallySatisfied, .dissatisfied: break }
    }
}

extension SignerRole: CaseIterable {
    public static let allCases: [SignerRole] = [.recipient, .proxy, .thumbprint]
    private static func offered(_ v: SignerRole) {
        switch v { case .recipient, .proxy, .thumbprint: break }
    }
}

extension TicketKind: CaseIterable {
    public static let allCases: [TicketKind] = [.consultation, .complaint, .cardProblem, .paymentMissing, .other]
    private static func offered(_ v: TicketKind) {
        switch v { case .consultation, .complaint, .cardProblem, .paymentMissing, .other: break }
    }
}

extension Urgency: CaseIterable {
    public static let allCases: [Urgency] = [.low, .normal, .high]
    private static func offered(_ v: Urgency) {
        switch v { case .low, .normal, .high: break }
    }
}
