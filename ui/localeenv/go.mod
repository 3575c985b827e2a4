module a.watchpost/localeenv

go 1.26
