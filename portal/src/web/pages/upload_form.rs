//! Reading a posted form that carries files (order files, exchange files,
//! code lists, a message's attachments): its text fields and each file, read
//! no further than the caller's limit plus one byte, so a file over it is
//! told apart.

use std::collections::HashMap;

use poem::http::StatusCode;
use poem::web::Multipart;
use tokio::io::AsyncReadExt;

/// The form's text fields and its file (name, bytes).
pub(super) struct UploadForm {
    fields: HashMap<String, String>,
    /// Every `file` field chosen, in order (a browser's empty file input is left out).
    pub files: Vec<(String, Vec<u8>)>,
}

impl UploadForm {
    /// The form's one file, for forms that carry one.
    pub fn file(&mut self) -> Option<(String, Vec<u8>)> {
        (!self.files.is_empty()).then(|| self.files.remove(0))
    }

    /// A text field's value ("" when absent).
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }
}

/// Reads the form: text fields whole, the `file` field up to `limit` + 1
/// bytes, named `default_name` when the browser gave no name.
pub(super) async fn read(mut multipart: Multipart, limit: u64, default_name: &str) -> poem::Result<UploadForm> {
    let mut form = UploadForm { fields: HashMap::new(), files: Vec::new() };
    while let Some(field) = multipart.next_field().await? {
        match field.name().map(str::to_string) {
            Some(name) if name == "file" => {
                let file_name = field.file_name().unwrap_or(default_name).to_string();
                let mut bytes = Vec::new();
                field.into_async_read().take(limit + 1).read_to_end(&mut bytes).await.map_err(|e| {
                    poem::Error::from_string(format!("upload interrupted: {e}"), StatusCode::BAD_REQUEST)
                })?;
                if !(bytes.is_empty() && field_unnamed(&file_name, default_name)) {
                    form.files.push((file_name, bytes));
                }
            }
            Some(name) => {
                let value = field.text().await?;
                form.fields.insert(name, value);
            }
            None => {}
        }
    }
    Ok(form)
}

/// A file field the browser sent without choosing a file.
fn field_unnamed(file_name: &str, default_name: &str) -> bool {
    file_name.is_empty() || file_name == default_name
}
