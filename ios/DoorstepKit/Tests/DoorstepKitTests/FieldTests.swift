// The field app's view models over the real core library and a real server: enrolment, the
// due list, a whole visit with scripted fixes (one 5 km off, one simulated: both flagged), a
// photo from the camera port, a signature from strokes, the app gone mid-visit and the draft
// resumed, sync after sealing, a returned visit corrected and sent back up, location refused
// and the visit still saved, a proxy for a minor, and a vault that no longer holds the key.

import Foundation
import XCTest
@testable import DoorstepKit

@MainActor
final class FieldTests: XCTestCase {
    func testEnrolmentRefusesAWrongCodeInTheCoresWordsThenEnrols() async throws {
        let app = newPhone()
        let enrol = EnrolModel(app: app)
        XCTAssertFalse(enrol.canEnrol, "no code yet")
        enrol.server = TestServer.shared.url
        // A paste that is not a certificate is refused before anything is sent or kept.
        enrol.code = try TestServer.shared.code()
        enrol.countyCaPem = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----"
        await enrol.enrol()
        XCTAssertEqual(enrol.phase, .badCertificate)
        XCTAssertEqual(app.settings.countyCaPem, "")
        XCTAssertFalse(try app.core.status().enrolled)
        enrol.countyCaPem = ""
        enrol.code = "WRONG123"
        XCTAssertTrue(enrol.canEnrol)
        await enrol.enrol()
        guard case let .refused(why) = enrol.phase else { return XCTFail("\(enrol.phase)") }
        XCTAssertFalse(why.isEmpty)
        XCTAssertFalse(try app.core.status().enrolled)
        XCTAssertFalse(app.enrolled)

        enrol.code = try TestServer.shared.code()
        await enrol.enrol()
        guard case let .enrolled(e) = enrol.phase else { return XCTFail("\(enrol.phase)") }
        XCTAssertEqual(e.area, "410225")
        XCTAssertEqual(e.worker, "李四")
        XCTAssertTrue(app.enrolled, "the app leaves enrolment for the due list")
        // The roster came down with the enrolment, and the first sync is on record.
        XCTAssertEqual(try app.core.roster(query: RosterQuery(dueOnly: false, search: nil, village: nil, near: nil, limit: 10)).count, 3)
        guard case .done = app.settings.syncs.last else { return XCTFail("\(String(describing: app.settings.syncs.last))") }
    }

    func testTheDueListPutsTheOverdueFirstAndSearches() async throws {
        let app = try await enrolledPhone()
        let due = DueListModel(app: app)
        due.near = LatLon(lat: home.lat, lon: home.lon)
        XCTAssertEqual(Set(due.rows.map(\.id)), ["A1", "B2", "C3"])
        // B2 is overdue since last year; of the two never visited, the nearer comes first.
        XCTAssertEqual(due.rows.map(\.id), ["B2", "A1", "C3"])
        let a1 = due.rows[1]
        XCTAssertEqual(a1.villageName, "北街村")
        XCTAssertEqual(a1.townshipName, "城关镇")
        XCTAssertLessThan(a1.distanceM ?? .infinity, due.rows[2].distanceM ?? 0)
        due.search = "李建"
        XCTAssertEqual(due.rows.map(\.id), ["B2"])
        due.search = idNumber("410225", "20150210", 51)
        XCTAssertEqual(due.rows.map(\.id), ["C3"], "an exact ID number finds its holder")
        due.search = "无此人"
        XCTAssertTrue(due.rows.isEmpty)
        XCTAssertNil(due.refusal)
        XCTAssertEqual(due.unsent, 0)
        XCTAssertTrue(due.drafts.isEmpty)
        // The recipient screen: the ID number masked, the subsidy named with its amount.
        let r = due.recipient("A1")
        XCTAssertEqual(r.detail?.name, "王秀兰")
        XCTAssertFalse(r.detail?.idNumberMasked.contains("19400312") ?? true)
        XCTAssertEqual(r.detail?.subsidies.first?.amountFen, 10000)
    }

    func testAWholeVisitFlaggedSealedAndUpWithoutTheWorkerAsking() async throws {
        let app = try await enrolledPhone()
        let scheduler = RecordingScheduler()
        app.scheduler = scheduler
        let visit = try DueListModel(app: app).recipient("A1").startVisit()
        XCTAssertEqual(visit.part, .knock)
        XCTAssertEqual(visit.recipient?.name, "王秀兰")

        // The window gave a fix 5 km off and a simulated one at the door: both are flagged,
        // in the core's words, and neither stops the visit.
        await visit.locate(with: ScriptedLocation(script: [
            .searching(accuracyM: 40),
            .fix(fix(home.lat + 0.045, home.lon, accuracy: 8)),
            .fix(fix(home.lat, home.lon, accuracy: 25, mock: true)),
        ]))
        XCTAssertEqual(visit.location, .fixed(accuracyM: 25))
        let far = visit.state.flags.compactMap { f -> UInt32? in
            if case let .tooFar(d, _) = f.flag { return d } else { return nil }
        }
        XCTAssertEqual(far.count, 1)
        XCTAssertTrue((4800...5200).contains(far[0]), "\(far)")
        XCTAssertTrue(visit.state.flags.contains { $0.flag == .mockLocation })
        XCTAssertTrue(visit.state.flags.allSatisfy { !$0.text.isEmpty })

        // First door: the next step is the core's to say.
        XCTAssertTrue(visit.knock(.metPerson, present: "王秀兰，儿子王强"))
        XCTAssertEqual(visit.record.present, ["王秀兰", "儿子王强"])
        XCTAssertNotEqual(visit.state.step, .knock)
        XCTAssertEqual(visit.state.stepText, labelStep(value: visit.state.step, language: .zh))
        // Second door.
        XCTAssertFalse(visit.recordSubsidy(code: "GL01", arrived: .yes, amountSeen: "一百", sms: true))
        XCTAssertEqual(visit.notice, .badAmount)
        XCTAssertTrue(visit.record.subsidies.isEmpty, "a bad amount changes nothing")
        XCTAssertTrue(visit.recordSubsidy(code: "GL01", arrived: .yes, amountSeen: "100.00", sms: true))
        XCTAssertEqual(visit.record.subsidies.first?.amountSeenFen, 10000)
        let topic = try XCTUnwrap(visit.policyTopics.first)
        XCTAssertTrue(visit.explained(topic.code))
        XCTAssertTrue(visit.living("独居，儿子每周回来"))
        // Third door.
        XCTAssertTrue(visit.answered("卡丢了怎么补办"))
        XCTAssertFalse(visit.ticket(kind: nil, description: "x", urgency: .normal))
        XCTAssertEqual(visit.notice, .pickTicketKind)
        XCTAssertTrue(visit.ticket(kind: .cardProblem, description: "社保卡未激活，银行网点远", urgency: .high))
        XCTAssertEqual(visit.record.tickets.map(\.urgency), [.high])
        // The checklist: a problem without a note is refused in the core's words.
        XCTAssertFalse(visit.checklist("card_in_hand", .problem))
        XCTAssertFalse(visit.refusal?.isEmpty ?? true)
        XCTAssertFalse(visit.record.checklist.contains { $0.key == "card_in_hand" })
        XCTAssertFalse(visit.checklistItems.contains { $0.proxyOnly }, "no guardian items when met in person")
        for item in visit.checklistItems { XCTAssertTrue(visit.checklist(item.key, .done), item.key) }
        XCTAssertNil(visit.refusal)
        XCTAssertTrue(visit.satisfaction(.satisfied, comment: "希望多来看看"))
        // A photo from the camera, kept by the core off the main actor.
        await visit.takePhoto(from: FakeCamera(mode: .cancel))
        XCTAssertTrue(visit.state.photos.isEmpty)
        await visit.takePhoto(from: FakeCamera(mode: .photo))
        XCTAssertEqual(visit.state.photos.count, 1)
        XCTAssertFalse(visit.photoBusy)
        let thumb = try XCTUnwrap(visit.thumbnail(visit.state.photos[0]))
        XCTAssertEqual(Array(thumb.prefix(2)), [0xFF, 0xD8], "a JPEG")
        // The signature from a stroke sequence.
        XCTAssertFalse(visit.sign(.recipient, pad: SignatureModel(width: 600, height: 240), attested: "属实"))
        XCTAssertEqual(visit.notice, .drawFirst)
        XCTAssertTrue(visit.sign(.recipient, pad: drawnSignature(), attested: "本人确认以上走访内容属实"))
        XCTAssertEqual(visit.record.signature?.signer, .recipient)
        XCTAssertEqual(Array(try XCTUnwrap(visit.signaturePreview).prefix(4)), [0x89, 0x50, 0x4E, 0x47], "a PNG")
        XCTAssertTrue(visit.state.canFinish, "\(visit.state.missing.map(\.text))")
        XCTAssertEqual(VisitModel.part(for: visit.state.step), .finish)

        let asked = Date()
        XCTAssertTrue(visit.finish())
        let sealed = try XCTUnwrap(visit.sealed)
        XCTAssertEqual(sealed.sha256.count, 64)
        XCTAssertTrue(sealed.flags.contains { $0.flag == .mockLocation })
        // Sealing asked the background scheduler for a sync now, and started one.
        XCTAssertLessThanOrEqual(try XCTUnwrap(scheduler.asked.first), asked.addingTimeInterval(1))
        let running = try XCTUnwrap(app.runningSync)
        guard case let .done(_, sent, receipted, media) = await running.value else {
            return XCTFail("\(String(describing: app.settings.syncs.last))")
        }
        XCTAssertEqual([sent, receipted, media], [1, 1, 2], "the record, its photo and the signature")
        XCTAssertEqual(try app.core.status().unsent, 0)
        XCTAssertEqual(try app.core.visits().first?.progress, .receipted)
        // Nothing waits now: the next sync is the hourly one.
        XCTAssertGreaterThan(try XCTUnwrap(scheduler.asked.last), Date().addingTimeInterval(SyncPolicy.period - 60))
    }

    func testTheAppGoesMidVisitAndTheDraftComesBack() async throws {
        let vault = MemoryVault()
        var app = try await enrolledPhone(vault: vault)
        let folder = app.folder
        var visit: VisitModel? = try DueListModel(app: app).recipient("A1").startVisit()
        let id = try XCTUnwrap(visit?.visitId)
        XCTAssertTrue(visit!.knock(.metPerson))
        XCTAssertTrue(visit!.recordSubsidy(code: "GL01", arrived: .no, amountSeen: "", sms: false))
        XCTAssertTrue(visit!.living("卧床，女儿照顾"))
        let step = visit!.state.step
        let record = visit!.record
        // Gone: the model, the store, the app object.
        visit = nil
        app.close()
        app = newPhone(vault: vault, folder: folder)
        XCTAssertTrue(app.enrolled, "still enrolled after a restart")
        let due = DueListModel(app: app)
        XCTAssertEqual(due.drafts.map(\.visitId), [id])
        XCTAssertEqual(due.drafts.first?.recipientName, "王秀兰")
        let back = try due.resume(id)
        XCTAssertEqual(back.state.step, step)
        XCTAssertEqual(back.record, record)
        XCTAssertEqual(back.part, VisitModel.part(for: step))
        XCTAssertEqual(back.record.subsidies.first?.arrived, Arrival.no)
        XCTAssertEqual(back.record.livingSituation, "卧床，女儿照顾")
    }

    func testAReturnedVisitBecomesATaskAndItsCorrectionGoesUp() async throws {
        let app = try await enrolledPhone()
        let visit = try DueListModel(app: app).recipient("A1").startVisit()
        try await recordAll(visit)
        XCTAssertTrue(visit.finish())
        _ = await app.runningSync?.value
        XCTAssertEqual(try app.core.status().unsent, 0)

        // The supervisor returns it; the sync screen brings the decision down as a task.
        try TestServer.shared.review(visit.visitId, "return", comment: "照片看不清，请补拍")
        let sync = SyncModel(app: app)
        await sync.syncNow()
        XCTAssertFalse(sync.running)
        guard case .done = sync.last else { return XCTFail("\(String(describing: sync.last))") }
        XCTAssertNotNil(sync.status?.lastSyncAt)
        let tasks = TasksModel(app: app)
        XCTAssertEqual(tasks.toCorrect, [visit.visitId])
        let returned = tasks.tasks.compactMap { t -> String? in
            if case let .returned(_, comment, _, _) = t { return comment } else { return nil }
        }
        XCTAssertEqual(returned, ["照片看不清，请补拍"])
        XCTAssertEqual(tasks.names[visit.visitId], "王秀兰")
        XCTAssertEqual(DueListModel(app: app).openTasks, 1)

        let correction = try tasks.correct(visit.visitId)
        XCTAssertEqual(correction.record.corrects, visit.visitId)
        try await recordAll(correction)
        XCTAssertTrue(correction.finish())
        tasks.refresh()
        XCTAssertTrue(tasks.toCorrect.isEmpty, "the task is done once the correction is sealed")
        guard case let .done(_, sent, _, _) = await app.syncSoon().value else { return XCTFail("sync failed") }
        XCTAssertEqual(sent, 1)
        XCTAssertEqual(try app.core.status().unsent, 0)
    }

    func testLocationRefusedIsSaidAndTheVisitIsStillSaved() async throws {
        let app = try await enrolledPhone()
        let visit = try DueListModel(app: app).recipient("B2").startVisit()
        await visit.locate(with: ScriptedLocation(script: [.denied]))
        XCTAssertEqual(visit.location, .denied)
        XCTAssertTrue(visit.knock(.nobodyHome))
        await visit.takePhoto(from: FakeCamera(mode: .noCamera))
        XCTAssertEqual(visit.notice, .noCamera)
        await visit.takePhoto(from: FakeCamera(mode: .photo))
        XCTAssertTrue(visit.state.canFinish, "\(visit.state.missing.map(\.text))")
        XCTAssertTrue(visit.finish())
        XCTAssertTrue(try app.core.visits().first?.sealed ?? false)
        XCTAssertTrue(visit.sealed?.flags.contains { $0.flag == .noLocation } ?? false)
        XCTAssertTrue(visit.state.flags.contains { $0.text == labelFlag(value: .noLocation, language: .zh) })
        _ = await app.runningSync?.value
    }

    func testAProxySignsForAMinorAndTheGuardianItemsShow() async throws {
        let app = try await enrolledPhone()
        let visit = try DueListModel(app: app).recipient("C3").startVisit()
        XCTAssertTrue(visit.knock(.metProxy, present: "张大山"))
        XCTAssertTrue(visit.record.actsThroughProxy)
        let guardianItems = visit.checklistItems.filter(\.proxyOnly)
        XCTAssertFalse(guardianItems.isEmpty)
        XCTAssertEqual(guardianItems.count, visit.checklist?.items.filter(\.proxyOnly).count)
        XCTAssertTrue(visit.sign(.proxy, proxyName: "张大山", relation: "父亲", pad: drawnSignature(), attested: "属实"))
        let signed = try XCTUnwrap(visit.record.signature)
        XCTAssertEqual(signed.signer, .proxy)
        XCTAssertEqual(signed.proxyName, "张大山")
        XCTAssertEqual(signed.relation, "父亲")
    }

    func testAThumbprintWaitsForItsPhoto() async throws {
        let app = try await enrolledPhone()
        let visit = try DueListModel(app: app).recipient("A1").startVisit()
        XCTAssertTrue(visit.knock(.metPerson))
        XCTAssertTrue(visit.sign(.thumbprint, pad: nil, attested: "按手印确认"))
        XCTAssertEqual(visit.notice, .thumbprintPhotoNext)
        XCTAssertTrue(visit.state.missing.contains { $0.missing == .thumbprintPhoto })
        await visit.takePhoto(from: FakeCamera(mode: .photo))
        XCTAssertFalse(visit.state.missing.contains { $0.missing == .thumbprintPhoto })
    }

    func testAVaultWithoutTheKeyIsRefusedAndTheOldStoreSetAside() async throws {
        let first = newPhone()
        let folder = first.folder
        first.close()
        // Another vault (a restored backup on a new phone): the store cannot be read.
        let app = FieldApp(folder: folder, vault: MemoryVault(), language: .zh)
        XCTAssertEqual(app.open(), .keyLost)
        let enrol = EnrolModel(app: app)
        XCTAssertTrue(enrol.keyLost)
        let before = try FileManager.default.contentsOfDirectory(atPath: app.storeDir.path).sorted()
        try enrol.startAfresh()
        XCTAssertFalse(enrol.keyLost)
        XCTAssertEqual(app.opened, .ready)
        XCTAssertFalse(try app.core.status().enrolled)
        // Never deleted: the old store's files sit beside the new store.
        let aside = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("store-set-aside-") }
        XCTAssertEqual(aside.count, 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(aside[0]).path).sorted(), before)
    }

    func testASyncWithTheServerGoneSaysWhyAndBacksOff() async throws {
        // A phone enrolled with a server of its own, which then goes away.
        let server = try TestServer()
        let app = newPhone()
        let enrol = EnrolModel(app: app)
        enrol.server = server.url
        enrol.code = try server.code()
        await enrol.enrol()
        guard case .enrolled = enrol.phase else { return XCTFail("\(enrol.phase)") }
        server.stop()
        let scheduler = RecordingScheduler()
        app.scheduler = scheduler
        let sync = SyncModel(app: app)
        await sync.syncNow()
        guard case let .failed(at, reason) = sync.last else { return XCTFail("\(String(describing: sync.last))") }
        XCTAssertFalse(reason.isEmpty)
        // In the core's words, in the phone's language, with the network's reason after them.
        XCTAssertTrue(reason.hasPrefix("无法连接服务器"), reason)
        XCTAssertEqual(app.settings.syncs.failuresInARow, 1)
        XCTAssertEqual(try XCTUnwrap(scheduler.asked.last).timeIntervalSince(at), SyncPolicy.backoff[0], accuracy: 1)
        // The settings file kept it: a new app object reads the same history.
        let again = FieldApp(folder: app.folder, vault: MemoryVault(), language: .zh)
        XCTAssertEqual(again.settings.syncs, app.settings.syncs)
    }

    /// Every door of a met-person visit, with a photo and the signature.
    private func recordAll(_ visit: VisitModel) async throws {
        await visit.locate(with: ScriptedLocation(script: [.fix(fix(home.lat, home.lon, accuracy: 5))]))
        XCTAssertTrue(visit.knock(.metPerson))
        XCTAssertTrue(visit.recordSubsidy(code: "GL01", arrived: .yes, amountSeen: "100", sms: true))
        for item in visit.checklistItems { XCTAssertTrue(visit.checklist(item.key, .done)) }
        XCTAssertTrue(visit.satisfaction(.satisfied, comment: ""))
        await visit.takePhoto(from: FakeCamera(mode: .photo))
        XCTAssertTrue(visit.sign(.recipient, pad: drawnSignature(), attested: "属实"))
        XCTAssertTrue(visit.state.canFinish, "\(visit.state.missing.map(\.text))")
    }
}
