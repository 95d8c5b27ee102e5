"""The form's fields as Django's own templates draw them (issue 18.6): a label for each input, the
`required` class, help text under the input, each error at its field with role=alert, and the
same markup in the "⊕ add a row" prototypes."""

from django.urls import reverse
from pytest_django.asserts import assertInHTML

from prereg.catalog.models import Ethnicity
from tests.factories import complete_application


def form_page(client, candidate, year, tree):
    complete_application(candidate, year, tree)
    client.force_login(candidate)
    response = client.get(reverse("candidate:form"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_form_page_labels_each_field_and_marks_the_required_ones(client, year, tree, candidate):
    body = form_page(client, candidate, year, tree)
    assertInHTML('<div class="field required"><label for="id_basic-postcode">邮编</label>'
                 '<input type="text" name="basic-postcode" value="350000" inputmode="numeric" maxlength="6"'
                 ' required id="id_basic-postcode"></div>', body)
    assertInHTML('<label for="id_basic-ethnicity">民族</label>', body)
    han = Ethnicity.objects.get(name="汉族").pk  # ids differ between databases (PostgreSQL keeps its sequences)
    assertInHTML(f'<option value="{han}" selected>汉族</option>', body)


def test_a_field_with_help_text_shows_it_under_its_input(client, year, tree, candidate):
    body = form_page(client, candidate, year, tree)
    assertInHTML('<div class="field required"><label for="id_chsi-chsi_code">学信网在线验证码</label>'
                 '<input type="text" name="chsi-chsi_code" value="090888693519" maxlength="20" required'
                 ' aria-describedby="id_chsi-chsi_code_helptext" id="id_chsi-chsi_code">'
                 '<small class="help" id="id_chsi-chsi_code_helptext">学历证书电子注册备案表中的12位在线验证码（不填空格）；若无此项请填写“无”。</small></div>',
                 body)


def test_the_add_a_row_prototype_draws_its_fields_like_a_row(client, year, tree, candidate):
    body = form_page(client, candidate, year, tree)
    prototype = body.split('<template data-row-template>')[1].split("</template>")[0]
    assertInHTML('<div class="field required"><label for="id_work-__prefix__-unit_name">单位名称</label>'
                 '<input type="text" name="work-__prefix__-unit_name" maxlength="100" aria-required="true"'
                 ' id="id_work-__prefix__-unit_name"></div>', prototype)
    assertInHTML('<input type="hidden" name="work-__prefix__-id" id="id_work-__prefix__-id">', prototype)


def test_a_section_with_errors_shows_each_at_its_field_with_role_alert(client, year, tree, candidate):
    form_page(client, candidate, year, tree)
    response = client.post(reverse("candidate:section", args=["basic"]), {"version": "x"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assertInHTML('<div class="field has-error required"><label for="id_basic-postcode">邮编</label>'
                 '<input type="text" name="basic-postcode" inputmode="numeric" maxlength="6" required'
                 ' aria-invalid="true" aria-describedby="id_basic-postcode_error" id="id_basic-postcode">'
                 '<div id="id_basic-postcode_error"><div class="error" role="alert">请填写“邮编”。</div></div></div>', body)
    assertInHTML('<div class="error" role="alert">请选择“民族”。</div>', body)


def test_every_control_a_screen_reader_reaches_has_a_name(client, year, tree, candidate):
    # The phone probe found the read-only 性别, 证件类型, 证件编号, 出生日期 and 现技术资格取得年限
    # (and 聘任年限) announced without a name: their labels named no input.
    import lxml.html

    from tests.factories import AppointmentRowFactory

    application = complete_application(candidate, year, tree)
    AppointmentRowFactory(application=application)
    client.force_login(candidate)
    page = lxml.html.fromstring(client.get(reverse("candidate:form")).content.decode())
    labelled = set(page.xpath("//label/@for"))
    unnamed = []
    for control in page.xpath("//input[not(@type='hidden')] | //select | //textarea"):
        hidden = control.xpath("ancestor::*[contains(concat(' ', @class, ' '), ' hidden ') or self::template]")
        if hidden or control.get("type") in ("submit", "button"):
            continue
        named = (control.get("id") in labelled or control.get("aria-label") or control.get("aria-labelledby")
                 or control.xpath("ancestor::label"))
        if not named:
            unnamed.append(control.get("name") or control.get("value"))
    assert unnamed == []


def test_a_return_reason_keeps_its_lines_and_stays_text(client, year, tree, candidate, reviewer_anxi_hospital):
    from prereg.applications import services
    from tests.factories import submitted

    application = submitted(tree, year, candidate=candidate)
    services.application_reject(actor=reviewer_anxi_hospital, application_id=application.pk,
                                expected_version=application.version, to="candidate",
                                reason="1. 学历证书照片不清晰\n2. 工作年限填写有误<b>")
    client.force_login(candidate)
    for name in ("candidate:home", "candidate:form", "candidate:progress"):
        body = client.get(reverse(name)).content.decode()
        assert "1. 学历证书照片不清晰<br>2. 工作年限填写有误&lt;b&gt;" in body, name


def test_every_description_a_control_points_to_is_on_the_page(client, year, tree, candidate):
    # The re-probe: Django's aria-describedby named help and error ids that no element had, so a
    # screen reader read "邮编, invalid" without the reason.
    import lxml.html

    application = complete_application(candidate, year, tree)
    client.force_login(candidate)
    pages = {"form": client.get(reverse("candidate:form")).content.decode(),
             "refused": client.post(reverse("candidate:section", args=["basic"]),
                                    {"version": application.version, "basic-postcode": "12"},
                                    HTTP_HX_REQUEST="true").content.decode()}
    client.logout()
    pages["login"] = client.get(reverse("accounts:login")).content.decode()
    for name, html in pages.items():
        page = lxml.html.fromstring(html)
        ids = set(page.xpath("//@id"))
        wanted = {i for value in page.xpath("//@aria-describedby") for i in value.split()}
        assert wanted and wanted <= ids, (name, wanted - ids)
    assert 'aria-invalid="true"' in pages["refused"]
