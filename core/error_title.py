"""GOV.UK's rule for forms: a page that shows an error summary starts its title with "Error: ",
so a screen reader user hears it first. Applied here once, for every page (a template that
already says it is left alone), rather than remembered in each form's template."""

import re

_SUMMARY = b'class="govuk-error-summary"'
_TITLE = re.compile(rb"<title>(\s*)(?!Error: )")


class ErrorTitleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and _SUMMARY in response.content
        ):
            response.content = _TITLE.sub(rb"<title>\1Error: ", response.content, count=1)
        return response
