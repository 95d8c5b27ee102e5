from django.urls import include, path

urlpatterns = [
    path("", include("prereg.core.urls")),
    path("accounts/", include("prereg.accounts.urls")),
    path("captcha/", include("prereg.accounts.captcha_urls")),
    path("candidate/", include("prereg.candidate.urls")),
    path("backoffice/", include("prereg.backoffice.urls")),
    path("files/", include("prereg.applications.urls")),
]

handler400 = "prereg.core.views.error_400"
handler403 = "prereg.audit.views.error_403"
handler404 = "prereg.audit.views.error_404"
handler500 = "prereg.core.views.error_500"
