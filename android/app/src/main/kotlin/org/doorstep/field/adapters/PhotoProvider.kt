// The app's own small ContentProvider: the camera app writes a photo into a file here through
// a URI granted for that one capture (no storage permission, nothing in the shared gallery).
// The plain file lives only until the core has taken it into the encrypted store.
package org.doorstep.field.adapters

import android.content.ContentProvider
import android.content.ContentValues
import android.content.Context
import android.database.Cursor
import android.database.MatrixCursor
import android.net.Uri
import android.os.ParcelFileDescriptor
import android.provider.OpenableColumns
import java.io.File
import java.io.FileNotFoundException

class PhotoProvider : ContentProvider() {
    override fun onCreate(): Boolean = true

    override fun openFile(uri: Uri, mode: String): ParcelFileDescriptor {
        val f = fileOf(requireNotNull(context), uri) ?: throw FileNotFoundException("not a capture")
        return ParcelFileDescriptor.open(f, ParcelFileDescriptor.parseMode(mode))
    }

    override fun getType(uri: Uri): String = "image/jpeg"

    override fun query(uri: Uri, projection: Array<out String>?, selection: String?, args: Array<out String>?, sort: String?): Cursor? {
        val f = fileOf(requireNotNull(context), uri) ?: return null
        return MatrixCursor(arrayOf(OpenableColumns.DISPLAY_NAME, OpenableColumns.SIZE)).apply { addRow(arrayOf<Any>(f.name, f.length())) }
    }

    override fun insert(uri: Uri, values: ContentValues?): Uri? = null
    override fun delete(uri: Uri, selection: String?, args: Array<out String>?): Int = 0
    override fun update(uri: Uri, values: ContentValues?, selection: String?, args: Array<out String>?): Int = 0

    companion object {
        const val AUTHORITY = "org.doorstep.field.photos"
        private val NAME = Regex("[a-z0-9-]{1,64}\\.jpg")

        private fun folder(context: Context) = File(context.cacheDir, "capture").apply { mkdirs() }

        /** A new empty file for one capture, and the URI the camera writes it through. */
        fun newCapture(context: Context): Pair<File, Uri> {
            val name = "capture-${System.currentTimeMillis()}.jpg"
            val f = File(folder(context), name)
            f.createNewFile()
            return f to Uri.Builder().scheme("content").authority(AUTHORITY).appendPath(name).build()
        }

        /** Only a plain file name of ours: nothing outside the capture folder can be named. */
        fun fileOf(context: Context, uri: Uri): File? {
            if (uri.authority != AUTHORITY) return null
            val name = uri.pathSegments.singleOrNull() ?: return null
            if (!NAME.matches(name)) return null
            return File(folder(context), name)
        }
    }
}
