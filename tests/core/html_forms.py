"""The forms of a page as a browser sees them: each form's action and fields, and what the
browser would post from it."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

TEXT_TYPES = {"text", "hidden", "email", "number", "password", "date", "url", "tel", "search"}


@dataclass
class Field:
    name: str
    kind: str  # an input's type, "select", "select-multiple" or "textarea"
    value: str = ""
    checked: bool = False
    maxlength: int | None = None
    inputmode: str = ""
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)


@dataclass
class Form:
    id: str | None
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)

    def data(self) -> dict[str, list[str]]:
        """What a browser posts: every field's current value, checked boxes, selected options
        (the first option of a single select with none selected)."""
        posted: dict[str, list[str]] = {}
        for f in self.fields:
            if f.kind in ("checkbox", "radio"):
                if f.checked:
                    posted.setdefault(f.name, []).append(f.value or "on")
            elif f.kind in ("select", "select-multiple"):
                values = f.selected or (f.options[:1] if f.kind == "select" else [])
                posted.setdefault(f.name, []).extend(values)
            elif f.kind in TEXT_TYPES or f.kind == "textarea":
                posted.setdefault(f.name, []).append(f.value)
        return posted


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: Field | None = None
        self.textarea: Field | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = Form(a.get("id"), a.get("action") or "", (a.get("method") or "get"))
            self.current.method = self.current.method.lower()
            self.forms.append(self.current)
            return
        if self.current is None or "disabled" in a:
            return
        name = a.get("name")
        maxlength = int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in TEXT_TYPES or kind in ("checkbox", "radio"):
                self.current.fields.append(
                    Field(
                        name,
                        kind,
                        a.get("value") or "",
                        checked="checked" in a,
                        maxlength=maxlength,
                        inputmode=a.get("inputmode", ""),
                    )
                )
        elif tag == "select" and name:
            self.select = Field(name, "select-multiple" if "multiple" in a else "select")
            self.current.fields.append(self.select)
        elif tag == "option" and self.select is not None:
            value = a.get("value", "")
            self.select.options.append(value)
            if "selected" in a:
                self.select.selected.append(value)
        elif tag == "textarea" and name:
            self.textarea = Field(name, "textarea", maxlength=maxlength)
            self.current.fields.append(self.textarea)
            self.text = []

    def handle_data(self, data):
        if self.textarea is not None:
            self.text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.textarea.value = "".join(self.text).removeprefix("\n")
            self.textarea = None


def page_forms(html: str) -> list[Form]:
    reader = _FormReader()
    reader.feed(html)
    return reader.forms


def post_data(html: str, *, form_id: str | None = None) -> dict[str, list[str]]:
    """The fields of the page's POST form (the one with `form_id`, else the first posting one),
    with the values it shows, as the test client's `post()` takes them."""
    for form in page_forms(html):
        if (form_id and form.id == form_id) or (not form_id and form.method == "post"):
            return form.data()
    raise AssertionError(f"no form {form_id or 'that posts'} on the page")
