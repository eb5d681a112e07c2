// A real `doorstep serve` on loopback for the whole suite, with a small roster of the county
// and the names of its divisions; enrolment codes and supervisor decisions through the real
// operator commands.
package org.doorstep.field

import java.io.File
import java.nio.file.Files

object TestServer {
    private val bin: String = System.getProperty("doorstep.test.bin") ?: error("doorstep.test.bin is not set")
    private val root: File = Files.createTempDirectory("doorstep-android").toFile()
    private val data = File(root, "server").path
    val url: String
    private val process: Process

    /** The household's position; a fix here is at the door. */
    const val LAT = 34.8
    const val LON = 114.8

    init {
        process = ProcessBuilder(bin, "serve", "--data", data, "--listen", "127.0.0.1:0", "--json")
            .redirectError(ProcessBuilder.Redirect.DISCARD).start()
        val line = process.inputStream.bufferedReader().readLine() ?: error("the server did not start")
        url = Regex("\"listening\"\\s*:\\s*\"([^\"]+)\"").find(line)!!.groupValues[1]
        Runtime.getRuntime().addShutdownHook(Thread { process.destroy(); root.deleteRecursively() })
        val divisions = File(root, "divisions.csv")
        divisions.writeText("code,name\n410225000000,兰考县\n410225100000,城关镇\n410225100201,北街村\n410225100202,南街村\n")
        admin("import-divisions", divisions.path)
        val roster = File(root, "roster.csv")
        roster.writeText(
            "id,name,id_number,gender,birth_date,categories,village_code,address,lat,lon,datum,phone," +
                "guardian_name,guardian_relation,guardian_phone,enrolments,card_status,last_visit_date\n" +
                "A1,王秀兰,${idNumber("410225", "19400312", 12)},,,elderly,410225100201,北街村 12 号,$LAT,$LON,,,,,," +
                "GL01:高龄津贴:100:0,issued_inactive,\n" +
                "B2,李建国,${idNumber("410225", "19560704", 31)},,,disabled,410225100202,南街村 3 号,34.83,114.83,,,,,," +
                "CJ01:残疾人生活补贴:80:0,active,2025-06-01\n" +
                "C3,张小明,${idNumber("410225", "20150210", 51)},,,minor,410225100201,北街村 30 号,34.801,114.801,,,张大山,父亲,13800138000," +
                "KE01:困境儿童生活费:500:0,issued_inactive,\n"
        )
        admin("import-roster", "--area", "410225", roster.path)
    }

    fun admin(vararg args: String): String {
        val cmd = listOf(bin, "admin", args[0], "--data", data) + args.drop(1) + "--json"
        val p = ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start()
        val out = p.inputStream.bufferedReader().readText()
        check(p.waitFor() == 0) { "admin ${args[0]} failed" }
        return out
    }

    /** A fresh one-time code for a worker of the county. */
    fun code(): String =
        Regex("\"code\"\\s*:\\s*\"([A-Z0-9]+)\"").find(admin("enrolment-code", "--worker", "李四", "--area", "410225"))!!.groupValues[1]

    fun review(visitId: String, decision: String, comment: String) {
        admin("review", visitId, decision, "--comment", comment)
    }

    /** A valid GB 11643 number (check digit computed). */
    fun idNumber(region: String, birth: String, seq: Int): String {
        val body = region + birth + "%03d".format(seq)
        val w = intArrayOf(7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
        val sum = body.mapIndexed { i, c -> (c - '0') * w[i] }.sum()
        return body + "10X98765432"[sum % 11]
    }
}
