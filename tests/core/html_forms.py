"""What a browser would post from a page's form: its fields and their current values."""

from html.parser import HTMLParser

TEXT_TYPES = {"text", "hidden", "email", "number", "password", "date", "url", "tel", "search"}


class _FormReader(HTMLParser):
    def __init__(self, form_id: str | None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.forms: list[dict] = []
        self.current: dict | None = None
        self.select: tuple[str, bool] | None = None
        self.select_values: list[str] = []
        self.select_first: str | None = None
        self.textarea: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = {"id": a.get("id"), "method": (a.get("method") or "get").lower()}
            self.current["data"] = {}
            self.forms.append(self.current)
            return
        if self.current is None:
            return
        data = self.current["data"]
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in TEXT_TYPES:
                data.setdefault(name, []).append(a.get("value") or "")
            elif kind in ("checkbox", "radio") and "checked" in a:
                data.setdefault(name, []).append(a.get("value") or "on")
        elif tag == "select" and name and "disabled" not in a:
            self.select = (name, "multiple" in a)
            self.select_values, self.select_first = [], None
        elif tag == "option" and self.select:
            value = a.get("value", "")
            if self.select_first is None:
                self.select_first = value
            if "selected" in a:
                self.select_values.append(value)
        elif tag == "textarea" and name and "disabled" not in a:
            self.textarea, self.text = name, []

    def handle_data(self, data):
        if self.textarea is not None:
            self.text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select" and self.select and self.current is not None:
            name, multiple = self.select
            values = self.select_values
            if not values and not multiple and self.select_first is not None:
                values = [self.select_first]  # a browser sends the first option
            self.current["data"].setdefault(name, []).extend(values)
            self.select = None
        elif tag == "textarea" and self.textarea is not None and self.current is not None:
            text = "".join(self.text)
            self.current["data"].setdefault(self.textarea, []).append(text.removeprefix("\n"))
            self.textarea = None


def post_data(html: str, *, form_id: str | None = None) -> dict[str, list[str]]:
    """The fields of the page's POST form (the one with `form_id`, else the first posting one),
    with the values it shows, as the test client's `post()` takes them."""
    reader = _FormReader(form_id)
    reader.feed(html)
    for form in reader.forms:
        if (form_id and form["id"] == form_id) or (not form_id and form["method"] == "post"):
            return form["data"]
    raise AssertionError(f"no form {form_id or 'that posts'} on the page")
